package referralgen

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/referraldesk/referraldesk/fhir"
)

const (
	profileUSCoreOrganization = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization"
	profileUSCorePractitioner = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitioner"
	profileUSCorePatient      = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
	profilePractitionerRole   = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-practitionerrole"

	systemNPI        = "http://hl7.org/fhir/sid/us-npi"
	systemNUCC       = "http://nucc.org/provider-taxonomy"
	systemOrgType    = "http://terminology.hl7.org/CodeSystem/organization-type"
	systemStaffIDs   = "https://eastside-community.example.org/staff"
	orgTypeProvider  = "prov"
	orgTypeCommunity = "cg"
	orgTypeOther     = "other"
)

// place is a street address in the Portland, Oregon area where the demo is set.
type place struct {
	line, city, state, postal string
}

type org struct {
	ref, name, kind, phone, email string
	at                            place
}

var (
	eastside = org{OwnerOrganization, "Eastside Community Services", orgTypeCommunity,
		"(503) 555-0110", "intake@eastside-community.example.org",
		place{"1420 SE 122nd Ave", "Portland", "OR", "97233"}}
	westside = org{OtherOrganization, "Westside Legal Aid", orgTypeCommunity,
		"(503) 555-0120", "help@westside-legal-aid.example.org",
		place{"3800 SW Cedar Hills Blvd", "Beaverton", "OR", "97005"}}
	platform = org{CoordinationPlatform, "Willamette Social Care Network", orgTypeOther,
		"(503) 555-0100", "support@willamette-scn.example.org",
		place{"220 NW 2nd Ave", "Portland", "OR", "97209"}}

	// clinics are the referral sources: the organizations of the requesters.
	clinics = []org{
		{"Organization/clinic-riverbend", "Riverbend Family Health Center", orgTypeProvider,
			"(503) 555-0131", "", place{"4420 SE Division St", "Portland", "OR", "97206"}},
		{"Organization/clinic-gresham", "Gresham Community Clinic", orgTypeProvider,
			"(503) 555-0132", "", place{"1295 NE Burnside Rd", "Gresham", "OR", "97030"}},
		{"Organization/clinic-hawthorne", "Hawthorne Women's Health", orgTypeProvider,
			"(971) 555-0133", "", place{"3615 SE Hawthorne Blvd", "Portland", "OR", "97214"}},
		{"Organization/clinic-northgate", "Northgate Health Center", orgTypeProvider,
			"(503) 555-0134", "", place{"7600 N Interstate Ave", "Portland", "OR", "97217"}},
		{"Organization/clinic-lents", "Lents Neighborhood Clinic", orgTypeProvider,
			"(971) 555-0135", "", place{"9105 SE Foster Rd", "Portland", "OR", "97266"}},
	}
)

// role is what a practitioner does, coded as in the IG's PractitionerRole
// examples: NUCC provider taxonomy, plus the SNOMED CT occupation where the
// IG example gives one.
type role struct {
	nucc, nuccDisplay, sct, sctDisplay string
}

var (
	roleFamilyMedicine = role{"207Q00000X", "Family Medicine Physician", "62247001", "Family medicine specialist (occupation)"}
	roleInternist      = role{"207R00000X", "Internal Medicine Physician", "", ""}
	roleOBGYN          = role{"207V00000X", "Obstetrics & Gynecology Physician", "", ""}
	roleSocialWorker   = role{"104100000X", "Social Worker", "224598009", "Trained Social Worker Counsellor"}
	roleNurse          = role{"163W00000X", "Registered Nurse", "", ""}
	roleFamilyNP       = role{"363LF0000X", "Family Nurse Practitioner", "", ""}
	roleCHW            = role{"172V00000X", "Community Health Worker", "", ""}
	roleCaseManager    = role{"171M00000X", "Case Manager/Care Coordinator", "", ""}
)

// clinician is one Practitioner with one PractitionerRole.
type clinician struct {
	slug           string // Practitioner/pract-<slug>, PractitionerRole/role-<slug>
	org            *org
	prefix         string
	given, family  string
	credential     string // "MSW", "RN", … after the name
	role           role
	phone, emailAt string
	npiBase        string // 9 digits; the check digit is computed
	weight         int    // how often this person refers: social workers and CHWs refer most
}

var requesters = []clinician{
	{"anita-patel", &clinics[0], "Dr", "Anita", "Patel", "", roleFamilyMedicine, "(503) 555-0141", "riverbend-health.example.org", "154820311", 3},
	{"marcus-bell", &clinics[0], "", "Marcus", "Bell", "MSW", roleSocialWorker, "(503) 555-0142", "riverbend-health.example.org", "162290415", 6},
	{"luis-ortega", &clinics[1], "Dr", "Luis", "Ortega", "", roleInternist, "(503) 555-0143", "greshamclinic.example.org", "171036612", 3},
	{"grace-kim", &clinics[1], "", "Grace", "Kim", "RN", roleNurse, "(503) 555-0144", "greshamclinic.example.org", "188402937", 4},
	{"rebecca-stone", &clinics[2], "Dr", "Rebecca", "Stone", "", roleOBGYN, "(971) 555-0145", "hawthornewomens.example.org", "190377124", 2},
	{"fatima-hassan", &clinics[2], "", "Fatima", "Hassan", "CHW", roleCHW, "(971) 555-0146", "hawthornewomens.example.org", "120583346", 5},
	{"samuel-okafor", &clinics[3], "Dr", "Samuel", "Okafor", "", roleFamilyMedicine, "(503) 555-0147", "northgatehealth.example.org", "136649028", 3},
	{"lily-tran", &clinics[3], "", "Lily", "Tran", "NP", roleFamilyNP, "(503) 555-0148", "northgatehealth.example.org", "145918730", 3},
	{"peter-lindqvist", &clinics[4], "Dr", "Peter", "Lindqvist", "", roleFamilyMedicine, "(971) 555-0149", "lentsclinic.example.org", "157204469", 2},
	{"renee-jackson", &clinics[4], "", "Renee", "Jackson", "MSW", roleSocialWorker, "(971) 555-0150", "lentsclinic.example.org", "168830152", 5},
}

var requesterWeights = func() []int {
	w := make([]int, len(requesters))
	for i, c := range requesters {
		w[i] = c.weight
	}
	return w
}()

var caseWorker = clinician{
	slug: "cbo-eastside-caseworker", org: &eastside, given: "Jordan", family: "Reyes",
	role: roleCaseManager, phone: "(503) 555-0111", emailAt: "eastside-community.example.org",
}

func (c *clinician) practitionerRef() string {
	if c.slug == caseWorker.slug {
		return CaseWorker
	}
	return "Practitioner/pract-" + c.slug
}

func (c *clinician) roleRef() string {
	if c.slug == caseWorker.slug {
		return CaseWorkerRole
	}
	return "PractitionerRole/role-" + c.slug
}

// name is how the person signs: "Dr Anita Patel", "Marcus Bell, MSW".
func (c *clinician) name() string {
	n := c.given + " " + c.family
	if c.prefix != "" {
		n = c.prefix + " " + n
	}
	if c.credential != "" {
		n += ", " + c.credential
	}
	return n
}

// roleDisplay follows the IG examples: "Dr Jan Water Family Medicine Physician",
// "Pat Williams, MSW - Social Worker".
func (c *clinician) roleDisplay() string {
	if c.credential != "" {
		return c.name() + " - " + c.role.nuccDisplay
	}
	return c.name() + " " + c.role.nuccDisplay
}

func (c *clinician) email() string {
	return strings.ToLower(c.given+"."+c.family) + "@" + c.emailAt
}

func (c *clinician) practitionerReference() *fhir.Reference {
	return &fhir.Reference{Reference: c.practitionerRef(), Display: c.name()}
}

func (c *clinician) roleReference() fhir.Reference {
	return fhir.Reference{Reference: c.roleRef(), Display: c.roleDisplay()}
}

func (o *org) reference() fhir.Reference {
	return fhir.Reference{Reference: o.ref, Display: o.name}
}

// orgByRef finds a directory organization, for the display of a reference.
func orgByRef(ref string) *org {
	for _, o := range []*org{&eastside, &westside, &platform} {
		if o.ref == ref {
			return o
		}
	}
	for i := range clinics {
		if clinics[i].ref == ref {
			return &clinics[i]
		}
	}
	return nil
}

// npi completes a 9-digit base with the Luhn check digit NPIs carry (computed
// with the 80840 prefix), so the demo never shows an NPI a validator rejects.
func npi(base string) string {
	digits := "80840" + base
	sum := 0
	double := true // the digit left of the check digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return base + strconv.Itoa((10-sum%10)%10)
}

func (o *org) resource() any {
	id := strings.TrimPrefix(o.ref, "Organization/")
	telecom := []contactPoint{{System: "phone", Value: o.phone, Use: "work"}}
	if o.email != "" {
		telecom = append(telecom, contactPoint{System: "email", Value: o.email, Use: "work"})
	}
	return organization{
		ResourceType: "Organization", ID: id, Meta: profile(profileUSCoreOrganization),
		Active: true,
		Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{
			System: systemOrgType, Code: o.kind, Display: orgTypeDisplay[o.kind]}}}},
		Name:    o.name,
		Telecom: telecom,
		Address: []address{{Use: "work", Line: []string{o.at.line}, City: o.at.city,
			State: o.at.state, PostalCode: o.at.postal, Country: "US"}},
	}
}

var orgTypeDisplay = map[string]string{
	orgTypeProvider: "Healthcare Provider", orgTypeCommunity: "Community Group", orgTypeOther: "Other",
}

func (c *clinician) practitionerResource() any {
	id := strings.TrimPrefix(c.practitionerRef(), "Practitioner/")
	ident := identifier{System: systemStaffIDs, Value: "CW-0142"}
	if c.npiBase != "" {
		ident = identifier{System: systemNPI, Value: npi(c.npiBase)}
	}
	n := humanName{Text: c.name(), Family: c.family, Given: []string{c.given}}
	if c.prefix != "" {
		n.Prefix = []string{c.prefix}
	}
	if c.credential != "" {
		n.Suffix = []string{c.credential}
	}
	return practitioner{
		ResourceType: "Practitioner", ID: id, Meta: profile(profileUSCorePractitioner),
		Identifier: []identifier{ident}, Active: true, Name: []humanName{n},
	}
}

func (c *clinician) roleResource() any {
	id := strings.TrimPrefix(c.roleRef(), "PractitionerRole/")
	code := fhir.CodeableConcept{Coding: []fhir.Coding{{System: systemNUCC, Code: c.role.nucc, Display: c.role.nuccDisplay}}}
	if c.role.sct != "" {
		code.Coding = append(code.Coding, fhir.Coding{System: fhir.SystemSNOMED, Code: c.role.sct, Display: c.role.sctDisplay})
	}
	return practitionerRole{
		ResourceType: "PractitionerRole", ID: id, Meta: profile(profilePractitionerRole),
		Active:       true,
		Practitioner: fhir.Reference{Reference: c.practitionerRef(), Display: c.name()},
		Organization: c.org.reference(),
		Code:         []fhir.CodeableConcept{code},
		Telecom: []contactPoint{
			{System: "phone", Value: c.phone, Use: "work"},
			{System: "email", Value: c.email(), Use: "work"},
		},
	}
}

// directory is built once: it does not depend on the seed.
var directory = sync.OnceValue(func() []json.RawMessage {
	e := newEncoder()
	var out []json.RawMessage
	for _, o := range []*org{&eastside, &westside, &platform} {
		out = append(out, e.encode(o.resource()))
	}
	for i := range clinics {
		out = append(out, e.encode(clinics[i].resource()))
	}
	people := append([]*clinician{&caseWorker}, pointers(requesters)...)
	for _, c := range people {
		out = append(out, e.encode(c.practitionerResource()))
	}
	for _, c := range people {
		out = append(out, e.encode(c.roleResource()))
	}
	return out
})

func pointers[T any](xs []T) []*T {
	ps := make([]*T, len(xs))
	for i := range xs {
		ps[i] = &xs[i]
	}
	return ps
}
