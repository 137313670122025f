package app

import "github.com/referraldesk/referraldesk/fhir"

// Service is a service a CBO delivers, as a code (SNOMED CT), with its
// name.
type Service struct{ System, Code, Display string }

func (s Service) coding() fhir.Coding {
	return fhir.Coding{System: s.System, Code: s.Code, Display: s.Display}
}

// services are the services a CBO may report having delivered, by SDOH
// category: the SNOMED CT interventions of the Gravity value set of each
// domain that the IG's examples and the built-in platform use. The
// ServiceRequest's own code always comes first (ServicesFor): it is bound
// to the same value set.
var services = map[string][]Service{
	"food-insecurity": {
		snomed("467771000124109", "Assistance with application for food pantry program"),
		snomed("710925007", "Provision of food"),
		snomed("713109004", "Referral to community meals service"),
		snomed("467681000124101", "Assistance with application for Summer Food Service Program"),
		snomed("467751000124104", "Assistance with application for garden program"),
		snomed("385767005", "Meals on wheels provision education"),
		snomed("61310001", "Nutrition education"),
		snomed("441041000124100", "Counseling about nutrition"),
		snomed("462491000124104", "Referral to benefits enrollment assistance program"),
	},
	"housing-instability": {
		snomed("710911006", "Referral to housing service"),
		snomed("225340009", "Housing assessment"),
		snomed("462491000124104", "Referral to benefits enrollment assistance program"),
		snomed("464001000124109", "Referral to case manager"),
	},
	"homelessness": {
		snomed("710911006", "Referral to housing service"),
		snomed("225340009", "Housing assessment"),
		snomed("464001000124109", "Referral to case manager"),
		snomed("464021000124104", "Referral to care navigator"),
	},
	"inadequate-housing": {
		snomed("225340009", "Housing assessment"),
		snomed("710911006", "Referral to housing service"),
		snomed("462481000124102", "Referral to Community Action Agency program"),
	},
	"transportation-insecurity": {
		snomed("410365006", "Transportation case management"),
		snomed("428632005", "Transportation request"),
		snomed("464161000124109", "Referral to community resource network program"),
	},
	"financial-insecurity": {
		snomed("462491000124104", "Referral to benefits enrollment assistance program"),
		snomed("464301000124106", "Education about benefits enrollment assistance program"),
		snomed("462481000124102", "Referral to Community Action Agency program"),
		snomed("464001000124109", "Referral to case manager"),
	},
	"employment-status": {
		snomed("28214001", "Patient referral for specialized training"),
		snomed("18781004", "Patient referral for vocational rehabilitation"),
		snomed("464161000124109", "Referral to community resource network program"),
		snomed("464131000124100", "Referral to community health worker"),
	},
	"educational-attainment": {
		snomed("28214001", "Patient referral for specialized training"),
		snomed("464161000124109", "Referral to community resource network program"),
		snomed("464021000124104", "Referral to care navigator"),
	},
	"social-connection": {
		snomed("464131000124100", "Referral to community health worker"),
		snomed("464161000124109", "Referral to community resource network program"),
		snomed("308440001", "Referral to social worker"),
	},
	"utility-insecurity": {
		snomed("462481000124102", "Referral to Community Action Agency program"),
		snomed("462491000124104", "Referral to benefits enrollment assistance program"),
		snomed("464001000124109", "Referral to case manager"),
	},
	"material-hardship": {
		snomed("462481000124102", "Referral to Community Action Agency program"),
		snomed("462491000124104", "Referral to benefits enrollment assistance program"),
		snomed("464161000124109", "Referral to community resource network program"),
	},
	"stress": {
		snomed("308440001", "Referral to social worker"),
		snomed("464131000124100", "Referral to community health worker"),
		snomed("710824005", "Assessment of health and social care needs"),
	},
}

func snomed(code, display string) Service {
	return Service{System: fhir.SystemSNOMED, Code: code, Display: display}
}

// ServicesFor lists the services a completion may report for a referral
// (Need.Category, Need.Requested): the one requested first, then its
// category's others.
func ServicesFor(category string, requested Service) []Service {
	var out []Service
	if requested.Code != "" {
		out = append(out, requested)
	}
	for _, s := range services[category] {
		if s.Code != requested.Code {
			out = append(out, s)
		}
	}
	return out
}
