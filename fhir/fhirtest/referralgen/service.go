package referralgen

import (
	"encoding/json"
	"strings"

	"github.com/referraldesk/referraldesk/fhir"
)

// OwnerService is the demo CBO's food pantry, an SDOHCC HealthcareService
// For Referral Management provided by OwnerOrganization (IG 3.0.0): the
// resource through which the CBO publishes its capacity.
const OwnerService = "HealthcareService/cbo-eastside-food-pantry"

const (
	profileHealthcareService = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-HealthcareServiceForReferralManagement"
	// extCapacityStatus is the IG 3.0.0 complex extension of a
	// HealthcareService that says whether it takes new referrals.
	extCapacityStatus = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus"
	systemServiceType = "http://terminology.hl7.org/CodeSystem/service-type"
)

// HealthcareService returns OwnerService, with capacity (capacityStatus
// "capacity"). It is not part of Directory: a platform that does not let
// the CBO publish capacity serves what it always did. It does not depend on
// the seed, and the caller owns the returned slice.
func (g *Generator) HealthcareService() json.RawMessage {
	food := needByCode["food-insecurity"]
	hs := healthcareService{
		ResourceType: "HealthcareService", ID: strings.TrimPrefix(OwnerService, "HealthcareService/"), Meta: profile(profileHealthcareService),
		Extension: []complexExtension{{URL: extCapacityStatus, Extension: []codeExtension{{
			URL: "capacityStatus",
			ValueCodeableConcept: fhir.CodeableConcept{Coding: []fhir.Coding{{
				System: fhir.SystemSDOHTemporary, Code: "capacity", Display: "Has Capacity"}}},
		}}}},
		Active:     true,
		ProvidedBy: eastside.reference(),
		Category: []fhir.CodeableConcept{{Coding: []fhir.Coding{
			{System: systemUSCoreCategory, Code: "sdoh", Display: "SDOH"},
			food.category().Coding[0],
		}}},
		// service-type as in the IG example; 548 is the food relief service
		// of the HL7 Human Services Directory's service types.
		Type:    []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: systemServiceType, Code: "548", Display: "Food Relief/Food/Meals"}}}},
		Name:    "Eastside Community Services Food Pantry",
		Telecom: []contactPoint{{System: "phone", Value: eastside.phone, Use: "work"}, {System: "email", Value: eastside.email, Use: "work"}},
	}
	return newEncoder().encode(hs)
}

type codeExtension struct {
	URL                  string               `json:"url"`
	ValueCodeableConcept fhir.CodeableConcept `json:"valueCodeableConcept"`
}

type complexExtension struct {
	URL       string          `json:"url"`
	Extension []codeExtension `json:"extension"`
}

type healthcareService struct {
	ResourceType string                 `json:"resourceType"`
	ID           string                 `json:"id"`
	Meta         meta                   `json:"meta"`
	Extension    []complexExtension     `json:"extension,omitempty"`
	Active       bool                   `json:"active"`
	ProvidedBy   fhir.Reference         `json:"providedBy"`
	Category     []fhir.CodeableConcept `json:"category"`
	Type         []fhir.CodeableConcept `json:"type"`
	Name         string                 `json:"name"`
	Telecom      []contactPoint         `json:"telecom,omitempty"`
}
