package referralgen

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/referraldesk/referraldesk/fhir"
)

// additionalInputs lists the references of a Task's inputs of type
// SDOHCC-CodeSystemTemporaryCodes#additional-content.
func additionalInputs(t *testing.T, task map[string]any) []string {
	t.Helper()
	var out []string
	inputs, _ := task["input"].([]any)
	for _, in := range inputs {
		in := in.(map[string]any)
		codings := in["type"].(map[string]any)["coding"].([]any)
		cd := codings[0].(map[string]any)
		if cd["system"] != fhir.SystemSDOHTemporary || cd["code"] != "additional-content" {
			t.Fatalf("input of type %v, want %s#additional-content", cd, fhir.SystemSDOHTemporary)
		}
		out = append(out, str(in, "valueReference", "reference"))
	}
	return out
}

// A content-rich referral is the plain one plus Task.input entries and the
// resources they reference: nothing the plain referral has changes, so an
// app that ignores additional content sees the same referral.
func TestContentRichAddsOnly(t *testing.T) {
	g := New(13)
	for i := 1; i <= 200; i++ {
		plain := g.Referral(i, authoredAt(i), Spec{})
		rich := g.Referral(i, authoredAt(i), Spec{AdditionalContent: ContentAll})
		richByRef := map[string]json.RawMessage{}
		for _, raw := range rich {
			richByRef[refOf(t, raw)] = raw
		}
		for _, raw := range plain[1:] {
			if got := richByRef[refOf(t, raw)]; !bytes.Equal(got, raw) {
				t.Fatalf("referral %d: %s differs when content-rich:\nplain %s\n rich %s", i, refOf(t, raw), raw, got)
			}
		}
		pt, rt := decode(t, plain[0]), decode(t, rich[0])
		plainInputs, richInputs := additionalInputs(t, pt), additionalInputs(t, rt)
		if !slices.Equal(richInputs[:len(plainInputs)], plainInputs) {
			t.Fatalf("referral %d: the plain inputs %v are not kept first in %v", i, plainInputs, richInputs)
		}
		delete(pt, "input")
		delete(rt, "input")
		if a, b := must(json.Marshal(pt)), must(json.Marshal(rt)); !bytes.Equal(a, b) {
			t.Fatalf("referral %d: the Task differs beyond input:\nplain %s\n rich %s", i, a, b)
		}

		added := richInputs[len(plainInputs):]
		var types []string
		for _, ref := range added {
			if richByRef[ref] == nil {
				t.Fatalf("referral %d: input %s is not among the referral's resources", i, ref)
			}
			types = append(types, strings.Split(ref, "/")[0])
		}
		if want := []string{"QuestionnaireResponse", "Observation", "Goal", "DocumentReference"}; !slices.Equal(types, want) {
			t.Fatalf("referral %d: additional content %v, want one each of %v", i, added, want)
		}
	}
}

func refOf(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	r, err := fhir.ParseResource(raw)
	if err != nil {
		t.Fatal(err)
	}
	return r.Ref()
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// ContentSome makes about half of the referrals content-rich, and the same
// content as ContentAll: a referral does not change with how many others
// are rich.
func TestContentSomeIsAShare(t *testing.T) {
	g := New(17)
	rich := 0
	const n = 1000
	for i := 1; i <= n; i++ {
		some := g.Referral(i, authoredAt(i), Spec{AdditionalContent: ContentSome})
		if len(additionalInputs(t, decode(t, some[0]))) < 4 {
			continue
		}
		rich++
		if all := g.Referral(i, authoredAt(i), Spec{AdditionalContent: ContentAll}); !bytes.Equal(joined(some), joined(all)) {
			t.Fatalf("referral %d differs between ContentSome and ContentAll although both make it content-rich", i)
		}
	}
	if rich < 430 || rich > 570 {
		t.Errorf("%d of %d referrals content-rich with ContentSome, want about half", rich, n)
	}
}

// The screening, its Observation and the letter say what the referral is
// about, and were written no later than the referral.
func TestContentIsTheReferrals(t *testing.T) {
	g := New(19)
	for i := 1; i <= 300; i++ {
		res := byType(t, g.Referral(i, authoredAt(i), Spec{AdditionalContent: ContentAll}))
		qr, obs, doc, sr := res["QuestionnaireResponse"], res["Observation"], res["DocumentReference"], res["ServiceRequest"]
		patient := str(sr, "subject", "reference")
		for what, m := range map[string]map[string]any{"QuestionnaireResponse": qr, "Observation": obs, "DocumentReference": doc} {
			if got := str(m, "subject", "reference"); got != patient {
				t.Fatalf("referral %d: %s is about %s, the referral about %s", i, what, got, patient)
			}
		}
		if got := obs["derivedFrom"].([]any)[0].(map[string]any)["reference"]; got != "QuestionnaireResponse/"+str(qr, "id") {
			t.Fatalf("referral %d: the Observation derives from %v", i, got)
		}
		need := sr["category"].([]any)[1].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]
		if got := obs["category"].([]any)[2].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"]; got != need {
			t.Fatalf("referral %d: the screening found %v, the referral is for %v", i, got, need)
		}
		// The Observation reports the screening's last answer.
		answer := lastAnswer(qr["item"].([]any))
		if got := obs["valueCodeableConcept"].(map[string]any)["coding"].([]any)[0]; !sameCoding(got, answer) {
			t.Fatalf("referral %d: Observation value %v, the screening answered %v", i, got, answer)
		}

		att := doc["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
		text, err := base64.StdEncoding.DecodeString(att["data"].(string))
		if err != nil || float64(len(text)) != att["size"].(float64) || !strings.HasPrefix(att["contentType"].(string), "text/plain") {
			t.Fatalf("referral %d: attachment %v does not decode to its size (%v)", i, att, err)
		}
		if !strings.Contains(string(text), str(res["Task"], "for", "display")) {
			t.Fatalf("referral %d: the letter does not name the patient:\n%s", i, text)
		}
		if dnc := hasDoNotContact(sr); dnc != strings.Contains(string(text), "Do not contact") {
			t.Fatalf("referral %d: do-not-contact %v, yet the letter says:\n%s", i, dnc, text)
		}

		authored := authoredAt(i).Format(instantLayout)
		for what, when := range map[string]string{
			"QuestionnaireResponse.authored":       str(qr, "authored"),
			"Observation.effectiveDateTime":        str(obs, "effectiveDateTime"),
			"DocumentReference.date":               str(doc, "date"),
			"DocumentReference...creation":         att["creation"].(string),
			"Goal.statusDate (if content made it)": str(res["Goal"], "statusDate"),
		} {
			if when > authored {
				t.Fatalf("referral %d authored %s: %s is %s", i, authored, what, when)
			}
		}
	}
}

func lastAnswer(items []any) any {
	last := items[len(items)-1].(map[string]any)
	if sub, ok := last["item"].([]any); ok {
		return lastAnswer(sub)
	}
	return last["answer"].([]any)[0].(map[string]any)["valueCoding"]
}

func sameCoding(a, b any) bool {
	return string(must(json.Marshal(a))) == string(must(json.Marshal(b)))
}

// Every screening answer comes from the answer list of the IG's
// Questionnaire for that item, and every need has a screening.
func TestScreeningsUseTheIGQuestionnaires(t *testing.T) {
	options := questionnaireOptions(t)
	for _, n := range needs {
		sc, ok := screenings[n.code]
		if !ok {
			t.Errorf("no screening for %s", n.code)
			continue
		}
		for _, q := range sc.questions {
			linkID := "/" + q.loinc
			if sc.section != nil {
				linkID = "/" + sc.section.loinc + linkID
			}
			opts, ok := options[sc.questionnaire][linkID]
			if !ok {
				t.Errorf("%s: %s has no item %s", n.code, sc.questionnaire, linkID)
				continue
			}
			if !slices.Contains(opts.answers, q.answer.Code+" "+q.answer.Display) {
				t.Errorf("%s: answer %s %q is not among %s's options %v", n.code, q.answer.Code, q.answer.Display, linkID, opts.answers)
			}
			if opts.text != q.text {
				t.Errorf("%s: item %s text %q, the Questionnaire's %q", n.code, linkID, q.text, opts.text)
			}
		}
	}
}

type itemOptions struct {
	text    string
	answers []string
}

// questionnaireOptions reads the IG's Questionnaires: for each, its items'
// texts and answer options, by linkId.
func questionnaireOptions(t *testing.T) map[string]map[string]itemOptions {
	out := map[string]map[string]itemOptions{}
	for _, raw := range fixtureFiles(t, "Questionnaire-") {
		q := decode(t, raw)
		items := map[string]itemOptions{}
		var walk func([]any)
		walk = func(list []any) {
			for _, it := range list {
				it := it.(map[string]any)
				o := itemOptions{text: str(it, "text")}
				opts, _ := it["answerOption"].([]any)
				for _, op := range opts {
					c := op.(map[string]any)["valueCoding"].(map[string]any)
					o.answers = append(o.answers, c["code"].(string)+" "+c["display"].(string))
				}
				items[it["linkId"].(string)] = o
				sub, _ := it["item"].([]any)
				walk(sub)
			}
		}
		walk(q["item"].([]any))
		out[q["url"].(string)] = items
	}
	return out
}

// The demo CBO's HealthcareService follows the IG's capacity rules: active,
// an sdoh category, one type, a name, provided by the CBO, and a capacity
// status from the IG's value set.
func TestHealthcareService(t *testing.T) {
	raw := New(1).HealthcareService()
	res, _ := checkResource(t, raw)
	if res.Ref() != OwnerService {
		t.Fatalf("HealthcareService is %s, want %s", res.Ref(), OwnerService)
	}
	hs := decode(t, raw)
	if hs["active"] != true || str(hs, "providedBy", "reference") != OwnerOrganization || str(hs, "name") == "" || len(hs["type"].([]any)) != 1 {
		t.Errorf("HealthcareService %s lacks what the IG requires", raw)
	}
	if !strings.Contains(string(raw), `"system":"http://hl7.org/fhir/us/core/CodeSystem/us-core-category","code":"sdoh"`) {
		t.Errorf("no us-core-category#sdoh category: %s", raw)
	}
	ext := hs["extension"].([]any)[0].(map[string]any)
	status := ext["extension"].([]any)[0].(map[string]any)
	code := status["valueCodeableConcept"].(map[string]any)["coding"].([]any)[0].(map[string]any)
	if ext["url"] != extCapacityStatus || status["url"] != "capacityStatus" || code["system"] != fhir.SystemSDOHTemporary ||
		!slices.Contains([]string{"capacity", "no-capacity", "waitlist", "additional-assessment-required"}, code["code"].(string)) {
		t.Errorf("capacity extension %v", ext)
	}
	if !bytes.Equal(raw, New(2).HealthcareService()) {
		t.Error("HealthcareService depends on the seed")
	}
}
