package fhir

// Code systems and codes of the SDOH Clinical Care IG (2.3.0 / 3.0.0) that the
// client and the built-in platform both use.
const (
	SystemTaskCode        = "http://hl7.org/fhir/CodeSystem/task-code"
	SystemSDOHTemporary   = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
	SystemSNOMED          = "http://snomed.info/sct"
	SystemConsentScope    = "http://terminology.hl7.org/CodeSystem/consentscope"
	SystemActCode         = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	SystemRequestPrio     = "http://hl7.org/fhir/request-priority"
	CodeFulfill           = "fulfill"
	CodeResultingActivity = "resulting-activity"
	// CodeNoCapacity in a rejected Task's statusReason: declined for lack of capacity (IG 3.0.0).
	CodeNoCapacity = "no-capacity"
	// ExtensionCapacity is the IG's HealthcareService capacity status extension.
	ExtensionCapacity = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus"
	// CodeContactProhibited in ServiceRequest.orderDetail means the person must not be contacted.
	CodeContactProhibited = "contacting-subject-prohibited"

	ProfileReferralTask   = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"
	ProfileServiceRequest = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
	ProfileConsent        = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Consent"
	ProfileProcedure      = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-Procedure"
)

// Task statuses a referral Task can have (FHIR R4 TaskStatus).
const (
	StatusDraft          = "draft"
	StatusRequested      = "requested"
	StatusReceived       = "received" // not allowed since IG 2.1.0: read it, never write it
	StatusAccepted       = "accepted"
	StatusRejected       = "rejected"
	StatusReady          = "ready" // not allowed for referral Tasks
	StatusInProgress     = "in-progress"
	StatusOnHold         = "on-hold"
	StatusCompleted      = "completed"
	StatusFailed         = "failed"
	StatusCancelled      = "cancelled"
	StatusEnteredInError = "entered-in-error"
)
