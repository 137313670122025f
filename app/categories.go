package app

import (
	"strings"

	"github.com/referraldesk/referraldesk/fhir"
)

// Category is an SDOH category a referral's need belongs to.
type Category struct{ Code, Label string }

// Categories are the Gravity Project's SDOH categories (SDOHCC ValueSet
// SDOH Category, IG 2.3.0), in the order a case worker scans them: the
// inbox filter offers these.
var Categories = []Category{
	{"food-insecurity", "Food insecurity"},
	{"housing-instability", "Housing instability"},
	{"homelessness", "Homelessness"},
	{"inadequate-housing", "Inadequate housing"},
	{"transportation-insecurity", "Transportation insecurity"},
	{"utility-insecurity", "Utility insecurity"},
	{"financial-insecurity", "Financial insecurity"},
	{"material-hardship", "Material hardship"},
	{"employment-status", "Employment"},
	{"educational-attainment", "Education"},
	{"health-insurance-coverage-status", "Health insurance"},
	{"medical-cost-burden", "Medical cost burden"},
	{"personal-health-literacy", "Health literacy"},
	{"digital-literacy", "Digital literacy"},
	{"digital-access", "Digital access"},
	{"social-connection", "Social connection"},
	{"stress", "Stress"},
	{"intimate-partner-violence", "Intimate partner violence"},
	{"elder-abuse", "Elder abuse"},
	{"veteran-status", "Veteran status"},
	{"sdoh-category-unspecified", "Other"},
}

// CategoryLabel names a category code ("" for none) as categoryLabel does.
func CategoryLabel(code string) string { return categoryLabel(fhir.Coding{Code: code}) }

// categoryLabel names a need's SDOH category wherever a case worker reads
// it: in the inbox's rows, the need filter and the referral. One of
// Categories reads as there, whatever the platform's display ("Housing
// Instability" is "Housing instability"), so the filter names what the rows
// say; another category by the platform's display, else by its code.
func categoryLabel(c fhir.Coding) string {
	for _, k := range Categories {
		if k.Code == c.Code {
			return k.Label
		}
	}
	if c.Display != "" {
		return c.Display
	}
	s := strings.ReplaceAll(c.Code, "-", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
