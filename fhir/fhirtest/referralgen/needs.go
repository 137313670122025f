package referralgen

import "github.com/referraldesk/referraldesk/fhir"

// The SDOH needs the generator refers people for. Categories are the IG's
// SDOHCC-CodeSystemTemporaryCodes domains. Codes are taken only from sources
// that use them for exactly this purpose: the IG examples (2.3.0/3.0.0), the
// Gravity Project reference implementations' SDOH request and goal value-set
// lists, and long-standing ICD-10-CM Z codes. Where the only genuine code is a
// general one ("Referral to benefits enrollment assistance program"), the
// concept text says what the requester actually wants, as a referring
// clinician's order entry would.

const (
	systemICD10CM        = "http://hl7.org/fhir/sid/icd-10-cm"
	sctSocialService     = "410606002" // category of every SDOHCC ServiceRequest and Procedure
	sctSocialServiceName = "Social service procedure"
)

// service is a SNOMED CT procedure from the category's Gravity value set.
type service struct {
	code, display string
	text          string // what is asked for, when the code is general
}

// finding is one SDOH Condition code: SNOMED CT and/or ICD-10-CM, as the IG
// examples code them.
type finding struct {
	sct, sctDisplay, icd, icdDisplay string
}

// outcome is a Goal.description (SNOMED CT finding).
type outcome struct{ code, display string }

type need struct {
	code, display string // SDOHCC category
	weight        int    // share of referrals, in percent
	services      []service
	findings      []finding
	outcomes      []outcome
	notes         []string // what the requester writes on the ServiceRequest
	related       []string // categories a second Condition is often from
}

// General Gravity service codes that appear in many domains' value sets.
var (
	svcBenefits      = service{code: "462491000124104", display: "Referral to benefits enrollment assistance program"}
	svcBenefitsEd    = service{code: "464301000124106", display: "Education about benefits enrollment assistance program"}
	svcCommAction    = service{code: "462481000124102", display: "Referral to Community Action Agency program"}
	svcResourceNet   = service{code: "464161000124109", display: "Referral to community resource network program"}
	svcCHW           = service{code: "464131000124100", display: "Referral to community health worker"}
	svcCaseManager   = service{code: "464001000124109", display: "Referral to case manager"}
	svcCareNavigator = service{code: "464021000124104", display: "Referral to care navigator"}
	svcSocialWorker  = service{code: "308440001", display: "Referral to social worker"}
	svcNeedsAssess   = service{code: "710824005", display: "Assessment of health and social care needs"}
	svcHousing       = service{code: "710911006", display: "Referral to housing service"}
	svcHousingAssess = service{code: "225340009", display: "Housing assessment"}
)

func (s service) with(text string) service { s.text = text; return s }

var needs = []need{
	{
		code: "food-insecurity", display: "Food Insecurity", weight: 28,
		services: []service{
			{code: "467771000124109", display: "Assistance with application for food pantry program"},
			{code: "467771000124109", display: "Assistance with application for food pantry program"},
			{code: "710925007", display: "Provision of food"},
			{code: "710925007", display: "Provision of food", text: "Emergency food box"},
			{code: "713109004", display: "Referral to community meals service"},
			{code: "467681000124101", display: "Assistance with application for Summer Food Service Program"},
			{code: "467751000124104", display: "Assistance with application for garden program"},
			{code: "385767005", display: "Meals on wheels provision education"},
			{code: "61310001", display: "Nutrition education"},
			{code: "441041000124100", display: "Counseling about nutrition"},
			svcBenefits.with("Help applying for SNAP benefits"),
		},
		findings: []finding{
			{"733423003", "Food insecurity", "Z59.4", "Lack of adequate food"},
			{"733423003", "Food insecurity", "Z59.41", "Food insecurity"},
		},
		outcomes: []outcome{
			{"1078229009", "Food security"},
			{"671331000124107", "Feels food intake quantity is adequate for meals"},
		},
		notes: []string{
			"Household of four; SNAP benefits run out mid-month.",
			"Type 2 diabetes; would benefit from fresh produce boxes.",
			"Screened positive on the Hunger Vital Sign today.",
			"Lives alone and has trouble getting to the grocery store.",
			"Recently lost job; two school-age children at home.",
			"Skipping meals so the kids can eat.",
		},
		related: []string{"financial-insecurity", "employment-status", "transportation-insecurity"},
	},
	{
		code: "housing-instability", display: "Housing Instability", weight: 14,
		services: []service{
			svcHousing.with("Rental assistance and eviction prevention"),
			svcHousing,
			svcHousingAssess,
			svcBenefits.with("Help applying for emergency rent assistance"),
			svcCaseManager,
		},
		findings: []finding{
			{"1156191002", "Housing instability", "Z59.811", "Housing instability, housed, with risk of homelessness"},
			{"1156191002", "Housing instability", "Z59.819", "Housing instability, housed unspecified"},
			{"", "", "Z59.812", "Housing instability, housed, homelessness in past 12 months"},
		},
		outcomes: []outcome{
			{"611211000124100", "Housing security"},
			{"611221000124108", "Stably housed"},
		},
		notes: []string{
			"Received a 10-day eviction notice; court date pending.",
			"Two months behind on rent after work hours were cut.",
			"Staying with family temporarily; their lease ends this month.",
			"Landlord is selling the building; needs help finding a new place.",
		},
		related: []string{"financial-insecurity", "employment-status"},
	},
	{
		code: "homelessness", display: "Homelessness", weight: 7,
		services: []service{
			svcHousing.with("Emergency shelter placement"),
			svcHousingAssess.with("Coordinated entry housing assessment"),
			svcCaseManager,
			svcCareNavigator,
		},
		findings: []finding{
			{"32911000", "Homeless", "Z59.0", "Homelessness"},
			{"32911000", "Homeless", "Z59.01", "Sheltered homelessness"},
			{"32911000", "Homeless", "Z59.02", "Unsheltered homelessness"},
		},
		outcomes: []outcome{{"611221000124108", "Stably housed"}},
		notes: []string{
			"Currently sleeping in car with partner.",
			"Staying at the downtown shelter; discharged from hospital today.",
			"Unsheltered; has a cell phone but limited minutes.",
			"Needs a mailing address to apply for benefits.",
		},
		related: []string{"employment-status", "food-insecurity"},
	},
	{
		code: "inadequate-housing", display: "Inadequate Housing", weight: 4,
		services: []service{
			svcHousingAssess.with("Home safety and repair assessment"),
			svcHousing,
			svcCommAction.with("Weatherization program"),
		},
		findings: []finding{
			{"105531004", "Housing unsatisfactory", "Z59.19", "Other inadequate housing"},
			{"", "", "Z59.11", "Inadequate housing environmental temperature"},
		},
		outcomes: []outcome{
			{"161036002", "Housing adequate"},
			{"185960001", "Housing problem solved"},
		},
		notes: []string{
			"Mold in the apartment is making asthma worse.",
			"Heating has not worked since November; landlord unresponsive.",
			"Needs grab bars and a ramp after a fall at home.",
		},
		related: []string{"financial-insecurity"},
	},
	{
		code: "transportation-insecurity", display: "Transportation Insecurity", weight: 10,
		services: []service{
			{code: "410365006", display: "Transportation case management"},
			{code: "428632005", display: "Transportation request", text: "Rides to medical appointments"},
			svcResourceNet.with("Reduced-fare transit pass"),
		},
		findings: []finding{
			{"713458007", "Lack of access to transportation", "Z59.82", "Transportation insecurity"},
			{"160695008", "Transport too expensive", "Z59.82", "Transportation insecurity"},
		},
		outcomes: []outcome{
			{"611271000124109", "Transportation security"},
			{"1137434003", "Has access to transportation"},
			{"611521000124106", "Has transportation to access health care"},
		},
		notes: []string{
			"Missed two dialysis appointments for lack of a ride.",
			"Car was repossessed; needs rides to chemotherapy.",
			"Cannot afford bus fare to physical therapy twice a week.",
		},
		related: []string{"financial-insecurity"},
	},
	{
		code: "financial-insecurity", display: "Financial Insecurity", weight: 8,
		services: []service{
			svcBenefits.with("Benefits screening (SNAP, Medicaid, EITC)"),
			svcBenefitsEd,
			svcCommAction.with("Emergency financial assistance"),
			svcCaseManager.with("Budgeting and debt counseling"),
		},
		findings: []finding{
			{"1184702004", "Financial insecurity", "Z59.86", "Financial insecurity"},
			{"", "", "Z59.6", "Low income"},
		},
		outcomes: []outcome{
			{"224165006", "Financially secure"},
			{"224190007", "Income sufficient to meet needs"},
		},
		notes: []string{
			"Medical bills have gone to collections.",
			"Income dropped after a divorce; unsure which benefits apply.",
			"Interested in free tax preparation and the EITC.",
		},
		related: []string{"employment-status", "stress"},
	},
	{
		code: "employment-status", display: "Employment Status", weight: 9,
		services: []service{
			{code: "28214001", display: "Patient referral for specialized training", text: "Job training (forklift or CNA certification)"},
			{code: "18781004", display: "Patient referral for vocational rehabilitation"},
			svcResourceNet.with("Job centre: résumé help and job search"),
			svcCHW,
		},
		findings: []finding{
			{"73438004", "Unemployed", "Z56.0", "Unemployment, unspecified"},
		},
		outcomes: []outcome{
			{"224363007", "Employed"},
			{"160903007", "Full-time employment"},
		},
		notes: []string{
			"Laid off from a warehouse job in March; looking for work.",
			"Wants help with a résumé and interview practice.",
			"Interested in CNA or forklift certification.",
		},
		related: []string{"financial-insecurity", "food-insecurity"},
	},
	{
		code: "educational-attainment", display: "Educational Attainment", weight: 3,
		services: []service{
			{code: "28214001", display: "Patient referral for specialized training", text: "GED preparation classes"},
			svcResourceNet.with("Adult education and English classes"),
			svcCareNavigator,
		},
		findings: []finding{
			{"", "", "Z55.0", "Illiteracy and low-level literacy"},
			{"", "", "Z55.9", "Problems related to education and literacy, unspecified"},
		},
		outcomes: []outcome{
			{"5251000175109", "Received certificate of high school equivalency"},
			{"473461003", "Educated to high school level"},
			{"1300105004", "Completed vocational education program"},
		},
		notes: []string{
			"Did not finish high school; wants to start GED classes.",
			"Would like English classes in the evening.",
		},
		related: []string{"employment-status"},
	},
	{
		code: "social-connection", display: "Social Connection", weight: 5,
		services: []service{
			svcCHW.with("Senior companion and peer support program"),
			svcResourceNet.with("Community groups and activities"),
			svcSocialWorker,
		},
		findings: []finding{
			{"422650009", "Social isolation", "Z60.2", "Problems related to living alone"},
			{"", "", "Z60.4", "Social exclusion and rejection"},
		},
		outcomes: []outcome{
			{"1230391007", "Adequate social connection"},
			{"1230392000", "Not feeling lonely"},
		},
		notes: []string{
			"Widowed last year; lives alone and rarely leaves home.",
			"Reports feeling lonely; interested in senior center activities.",
		},
		related: []string{"stress"},
	},
	{
		code: "utility-insecurity", display: "Utility Insecurity", weight: 7,
		services: []service{
			svcCommAction.with("Energy bill assistance (LIHEAP) application"),
			svcBenefits.with("Help applying for utility bill assistance"),
			svcCaseManager.with("Payment plan after a shut-off notice"),
		},
		findings: []finding{
			{"", "", "Z59.12", "Inadequate housing utilities"},
			{"", "", "Z59.11", "Inadequate housing environmental temperature"},
		},
		outcomes: []outcome{
			{"1268689003", "Able to afford utilities in residence"},
			{"1268777006", "Able to afford heating in residence"},
		},
		notes: []string{
			"Shut-off notice from the electric company; due on the 15th.",
			"Cannot afford to heat the home this winter.",
			"Water bill three months past due.",
		},
		related: []string{"financial-insecurity"},
	},
	{
		code: "material-hardship", display: "Material Hardship", weight: 3,
		services: []service{
			svcCommAction.with("Clothing, diapers and household goods"),
			svcBenefits.with("Help applying for basic needs assistance"),
			svcResourceNet,
		},
		findings: []finding{
			{"", "", "Z59.87", "Material hardship due to limited financial resources, not elsewhere classified"},
		},
		outcomes: []outcome{
			{"1268658002", "Able to afford adequate clothing"},
			{"1268661001", "Able to afford childcare"},
		},
		notes: []string{
			"Needs diapers and formula for a newborn.",
			"Needs a winter coat and work boots.",
			"Lost belongings in an apartment fire.",
		},
		related: []string{"financial-insecurity"},
	},
	{
		code: "stress", display: "Stress", weight: 2,
		services: []service{
			svcSocialWorker.with("Caregiver support counseling"),
			svcCHW,
			svcNeedsAssess,
		},
		findings: []finding{
			{"73595000", "Stress", "Z73.3", "Stress, not elsewhere classified"},
		},
		outcomes: []outcome{{"716421004", "Able to manage stress"}},
		notes: []string{
			"Caring for a parent with dementia; reports high stress.",
			"Stress from job loss and debt; declined a behavioral health referral.",
		},
		related: []string{"financial-insecurity", "social-connection"},
	},
}

var (
	needWeights = func() []int {
		w := make([]int, len(needs))
		for i, n := range needs {
			w[i] = n.weight
		}
		return w
	}()
	needByCode = func() map[string]*need {
		m := make(map[string]*need, len(needs))
		for i := range needs {
			m[needs[i].code] = &needs[i]
		}
		return m
	}()
)

func (n *need) category() fhir.CodeableConcept {
	return fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.SystemSDOHTemporary, Code: n.code, Display: n.display}}}
}

func (s service) concept() fhir.CodeableConcept {
	return fhir.CodeableConcept{
		Coding: []fhir.Coding{{System: fhir.SystemSNOMED, Code: s.code, Display: s.display}},
		Text:   s.text,
	}
}

// label is what a person reads for the service: the specific text, else the display.
func (s service) label() string {
	if s.text != "" {
		return s.text
	}
	return s.display
}

func (f finding) concept() fhir.CodeableConcept {
	var c fhir.CodeableConcept
	if f.sct != "" {
		c.Coding = append(c.Coding, fhir.Coding{System: fhir.SystemSNOMED, Code: f.sct, Display: f.sctDisplay})
	}
	c.Coding = append(c.Coding, fhir.Coding{System: systemICD10CM, Code: f.icd, Display: f.icdDisplay})
	return c
}

func (f finding) label() string {
	if f.sctDisplay != "" {
		return f.sctDisplay
	}
	return f.icdDisplay
}
