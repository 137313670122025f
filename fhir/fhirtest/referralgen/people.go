package referralgen

import (
	"fmt"
	"strings"
	"time"

	"github.com/referraldesk/referraldesk/fhir"
)

// A community's people: name pools by heritage, each with the share of people
// who prefer a language other than English. The weights put about 70 % of
// patients on English, like the caseload of an urban CBO.
type heritage struct {
	weight        int
	female, male  []string
	family        []string
	languages     []string // preferred languages other than English
	nonEnglishPct int
}

var heritages = []heritage{
	{weight: 44,
		female: []string{"Emily", "Sarah", "Jessica", "Ashley", "Megan", "Rachel", "Amanda", "Linda", "Patricia", "Barbara", "Dorothy", "Karen", "Brittany", "Heather", "Shannon", "Crystal", "Debra", "Nancy"},
		male:   []string{"James", "Michael", "Robert", "David", "William", "Joseph", "Christopher", "Daniel", "Matthew", "Anthony", "Kevin", "Brian", "Gary", "Ronald", "Dennis", "Tyler", "Cody", "Wayne"},
		family: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Peterson", "Cooper", "Reed", "Bailey", "Kelly", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Myers", "Long", "Ross", "Foster", "Olson", "Larson", "Schmidt"}},
	{weight: 14,
		female: []string{"Aaliyah", "Keisha", "Tamika", "Imani", "Latoya", "Jasmine", "Ebony", "Shanice", "Monique", "Tiana"},
		male:   []string{"DeShawn", "Jamal", "Darnell", "Tyrone", "Malik", "Andre", "Terrence", "Marcus", "Reginald", "Darius"},
		family: []string{"Washington", "Jefferson", "Banks", "Freeman", "Gaines", "Booker", "Coleman", "Simmons", "Jenkins", "Robinson", "Jackson", "Brooks", "Hayes", "Bryant"}},
	{weight: 22, languages: []string{"es"}, nonEnglishPct: 70,
		female: []string{"María", "Guadalupe", "Rosa", "Ana", "Carmen", "Lucía", "Sofía", "Valeria", "Ximena", "Leticia", "Yesenia", "Araceli"},
		male:   []string{"José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Francisco", "Javier", "Ricardo", "Héctor", "Jesús"},
		family: []string{"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Reyes", "Cruz", "Ortiz", "Gutiérrez", "Chávez", "Mendoza", "Ruiz", "Vargas", "Castillo", "Jiménez"}},
	{weight: 5, languages: []string{"vi"}, nonEnglishPct: 70,
		female: []string{"Lan", "Mai", "Thu", "Hoa", "Ngoc", "Linh", "Trang", "Huong"},
		male:   []string{"Minh", "Tuan", "Hung", "Dung", "Quang", "Bao", "Long", "Thanh"},
		family: []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Phan", "Vu", "Vo", "Dang", "Bui", "Do"}},
	{weight: 5, languages: []string{"zh"}, nonEnglishPct: 70,
		female: []string{"Mei", "Xiuying", "Lina", "Fang", "Jing", "Yan"},
		male:   []string{"Wei", "Jian", "Hao", "Jun", "Ming", "Qiang"},
		family: []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Lin"}},
	{weight: 4, languages: []string{"ar"}, nonEnglishPct: 60,
		female: []string{"Fatima", "Aisha", "Mariam", "Layla", "Noor", "Huda", "Samira"},
		male:   []string{"Mohammed", "Ahmed", "Omar", "Ali", "Youssef", "Khalid", "Hassan", "Tariq"},
		family: []string{"Haddad", "Khalil", "Saleh", "Mansour", "Aziz", "Nasser", "Abboud", "Al-Amin", "Darwish"}},
	{weight: 3, languages: []string{"so"}, nonEnglishPct: 60,
		female: []string{"Hodan", "Fadumo", "Ayaan", "Ubah", "Sahra", "Ifrah"},
		male:   []string{"Abdi", "Abdullahi", "Mohamed", "Farah", "Hassan", "Yusuf"},
		family: []string{"Warsame", "Hirsi", "Jama", "Osman", "Farah", "Mohamud", "Ali", "Egal"}},
	{weight: 3, languages: []string{"uk", "ru"}, nonEnglishPct: 60,
		female: []string{"Olena", "Natalia", "Svitlana", "Iryna", "Tetiana", "Oksana"},
		male:   []string{"Dmytro", "Serhiy", "Oleksiy", "Ivan", "Mykola", "Andriy"},
		family: []string{"Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko", "Lysenko"}},
}

var heritageWeights = func() []int {
	w := make([]int, len(heritages))
	for i, h := range heritages {
		w[i] = h.weight
	}
	return w
}()

var languageNames = map[string]string{
	"en": "English", "es": "Spanish", "vi": "Vietnamese", "zh": "Chinese",
	"ar": "Arabic", "so": "Somali", "uk": "Ukrainian", "ru": "Russian",
}

// Fictional house numbers on real streets of the Portland area the clinics
// and CBOs are in; phone numbers are in the 555-01xx range kept for fiction.
type town struct {
	city, state string
	zips        []string
	areaCodes   []string
	streets     []string
	weight      int
}

var towns = []town{
	{"Portland", "OR", []string{"97206", "97211", "97216", "97220", "97230", "97233", "97236", "97266", "97203", "97217"}, []string{"503", "971"},
		[]string{"SE Division St", "NE Sandy Blvd", "N Lombard St", "SE Stark St", "NE Glisan St", "SE Foster Rd", "NE Killingsworth St", "SE Powell Blvd", "N Interstate Ave", "SE 122nd Ave", "NE 82nd Ave", "SE Holgate Blvd", "NE Halsey St", "SE Belmont St", "NE Fremont St", "SE Woodstock Blvd", "N Williams Ave"}, 60},
	{"Gresham", "OR", []string{"97030", "97080"}, []string{"503", "971"},
		[]string{"NE Burnside Rd", "SE Stark St", "NE Division St", "SE 182nd Ave", "NE Hogan Dr", "SE Powell Valley Rd"}, 15},
	{"Milwaukie", "OR", []string{"97222"}, []string{"503"},
		[]string{"SE King Rd", "SE Harrison St", "SE Johnson Creek Blvd", "SE Linwood Ave"}, 6},
	{"Troutdale", "OR", []string{"97060"}, []string{"503"},
		[]string{"SW Cherry Park Rd", "SE Stark St", "NE Halsey St"}, 4},
	{"Beaverton", "OR", []string{"97005", "97006"}, []string{"503", "971"},
		[]string{"SW Canyon Rd", "SW Murray Blvd", "SW Allen Blvd", "SW Farmington Rd", "NW 185th Ave"}, 7},
	{"Vancouver", "WA", []string{"98661", "98664", "98682"}, []string{"360"},
		[]string{"NE Fourth Plain Blvd", "E Mill Plain Blvd", "NE 112th Ave", "NE Andresen Rd"}, 8},
}

var townWeights = func() []int {
	w := make([]int, len(towns))
	for i, t := range towns {
		w[i] = t.weight
	}
	return w
}()

// birthAnchor fixes ages for New's generators: a patient is the same person
// in every referral that names them, whatever authoredOn each one has.
var birthAnchor = time.Date(2025, time.July, 1, 0, 0, 0, 0, time.UTC)

// anchorBefore is how long before "today" NewAt places the birth anchor: the
// distance from New's anchor to 2 November 2026, so that a generator made on
// that day draws the same people as New.
const anchorBefore = 489 * 24 * time.Hour

const systemMRN = "http://hospital.riverbend-health.example.org/mrn"

// person is a patient's facts, drawn from the patient's own stream.
type person struct {
	index    int // the referral that introduced this patient
	given    []string
	family   string
	gender   string
	birth    string
	phone    string
	phoneUse string
	email    string
	addr     *address
	language string
	mrn      string
}

func (p *person) id() string   { return fmt.Sprintf("pat-%05d", p.index) }
func (p *person) ref() string  { return "Patient/" + p.id() }
func (p *person) name() string { return p.given[0] + " " + p.family }

func (p *person) reference() fhir.Reference {
	return fhir.Reference{Reference: p.ref(), Display: p.name()}
}

func newPerson(seed int64, born time.Time, index int) person {
	r := newRnd(seed, index, streamPatient)
	h := &heritages[weighted(&r, heritageWeights)]
	p := person{index: index}

	switch g := r.intn(100); {
	case g < 52:
		p.gender = "female"
	case g < 98:
		p.gender = "male"
	case g < 99:
		p.gender = "other"
	default:
		p.gender = "unknown"
	}
	firsts := h.male
	if p.gender == "female" || (p.gender != "male" && r.intn(2) == 0) {
		firsts = h.female
	}
	p.given = []string{pick(&r, firsts)}
	if r.permille(250) {
		p.given = append(p.given, string(rune('A'+r.intn(26)))+".")
	}
	p.family = pick(&r, h.family)

	// Ages 18–90, most between 30 and 75: the sum of two uniform draws.
	age := 18 + (r.intn(73)+r.intn(73))/2
	p.birth = born.AddDate(-age, 0, -r.intn(365)).Format(time.DateOnly)

	t := &towns[weighted(&r, townWeights)]
	p.phone = fmt.Sprintf("(%s) 555-01%02d", pick(&r, t.areaCodes), r.intn(100))
	p.phoneUse = "mobile"
	if r.permille(200) {
		p.phoneUse = "home"
	}
	if r.permille(350) {
		p.email = fmt.Sprintf("%s.%s%d@example.org", asciiLower(p.given[0]), asciiLower(p.family), r.intn(90)+10)
	}
	if !r.permille(30) { // a few patients have no address on file
		line := []string{fmt.Sprintf("%d %s", 100+r.intn(19900), pick(&r, t.streets))}
		if r.permille(400) {
			line = append(line, fmt.Sprintf("Apt %d%c", 1+r.intn(40), 'A'+rune(r.intn(4))))
		}
		p.addr = &address{Use: "home", Line: line, City: t.city, State: t.state,
			PostalCode: pick(&r, t.zips), Country: "US"}
	}

	p.language = "en"
	if len(h.languages) > 0 && r.intn(100) < h.nonEnglishPct {
		p.language = pick(&r, h.languages)
	}
	p.mrn = fmt.Sprintf("%07d", 1000000+r.intn(9000000))
	return p
}

func (p *person) resource() patient {
	telecom := []contactPoint{{System: "phone", Value: p.phone, Use: p.phoneUse, Rank: 1}}
	if p.email != "" {
		telecom = append(telecom, contactPoint{System: "email", Value: p.email, Use: "home"})
	}
	var addrs []address
	if p.addr != nil {
		addrs = []address{*p.addr}
	}
	return patient{
		ResourceType: "Patient", ID: p.id(), Meta: profile(profileUSCorePatient),
		Identifier: []identifier{{
			Use:    "usual",
			Type:   &mrnType,
			System: systemMRN, Value: p.mrn,
		}},
		Active:    true,
		Name:      []humanName{{Use: "official", Family: p.family, Given: p.given}},
		Telecom:   telecom,
		Gender:    p.gender,
		BirthDate: p.birth,
		Address:   addrs,
		Communication: []communication{{
			Language: fhir.CodeableConcept{
				Coding: []fhir.Coding{{System: "urn:ietf:bcp:47", Code: p.language, Display: languageNames[p.language]}},
				Text:   languageNames[p.language],
			},
			Preferred: true,
		}},
	}
}

var mrnType = fhir.CodeableConcept{
	Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Display: "Medical Record Number"}},
	Text:   "Medical Record Number",
}

// asciiLower folds the accented letters of the name pools for e-mail addresses.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á', 'Á':
			return 'a'
		case 'é', 'É':
			return 'e'
		case 'í', 'Í':
			return 'i'
		case 'ó', 'Ó':
			return 'o'
		case 'ú', 'Ú', 'ü':
			return 'u'
		case 'ñ':
			return 'n'
		case '-', ' ', '\'':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
