package app

import "github.com/referraldesk/referraldesk/fhir/fhirtest"

// DemoFaultsHelp says what StartFaultyDemoPlatform's spec holds.
const DemoFaultsHelp = fhirtest.FaultsHelp

// StartFaultyDemoPlatform is StartDemoPlatform with faults on, as spec says
// (DemoFaultsHelp; "" for none): to try by hand how Referral Desk copes
// with a platform that is slow, busy or broken.
func StartFaultyDemoPlatform(addr string, referrals int, spec string) (*DemoPlatform, error) {
	faults, err := fhirtest.ParseFaults(spec)
	if err != nil {
		return nil, &Error{Op: "start the demo platform", Kind: KindInvalid, Reason: ReasonUsage, Value: "--faults: " + err.Error(), Err: err}
	}
	d, err := StartDemoPlatform(addr, referrals)
	if err != nil {
		return nil, err
	}
	d.srv.SetFaults(faults)
	return d, nil
}
