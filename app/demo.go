package app

import (
	"github.com/referraldesk/referraldesk/fhir/fhirtest"
	"github.com/referraldesk/referraldesk/fhir/fhirtest/referralgen"
)

// DemoPlatform is the built-in referral platform: a real SMART-on-FHIR server
// on loopback with generated referrals, so Referral Desk can be tried (and
// tested) without an account anywhere.
type DemoPlatform struct {
	srv *fhirtest.Server
}

// StartDemoPlatform serves the built-in platform on addr ("127.0.0.1:0" picks a port),
// with what IG 3.0.0 adds: content sent with referrals, and a HealthcareService to
// publish capacity on.
func StartDemoPlatform(addr string, referrals int) (*DemoPlatform, error) {
	srv, err := fhirtest.Start(fhirtest.Options{Addr: addr, Referrals: referrals, AnyLoopbackPort: true,
		AdditionalContent: true, HealthcareService: true, CompleteCapabilityStatement: true})
	if err != nil {
		return nil, &Error{Op: "start the demo platform", Kind: KindLocal, Reason: reasonDemoPlatformDown, Value: addr, Err: err}
	}
	return &DemoPlatform{srv: srv}, nil
}

// FHIRBase is the link a case worker pastes to connect.
func (d *DemoPlatform) FHIRBase() string { return d.srv.FHIRBase() }

// SignIn is the demo account shown on the platform's sign-in page.
func (d *DemoPlatform) SignIn() (user, password string) {
	return fhirtest.DemoUser, fhirtest.DemoPassword
}

// AddReferral makes a new referral arrive on the platform; it returns the Task id.
func (d *DemoPlatform) AddReferral() string { return d.srv.AddReferral(referralgen.Spec{}) }

// Close stops the platform.
func (d *DemoPlatform) Close() { d.srv.Close() }
