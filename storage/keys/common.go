package keys

import (
	"strings"
	"unicode"
)

// commonPasswords are the cores of the passwords guessers try first: the
// words at the top of the published lists of leaked passwords (SplashData,
// NordPass, NCSC's "100,000 most common"), keyboard rows, seasons, and this
// application's own name. Only cores: "Password1234!" is "password" dressed
// up, and isCommonPassword undresses it. The list is short on purpose: it
// catches the first guesses, not every weak password.
var commonPasswords = setOf(
	"password", "passwort", "passphrase", "mypassword", "passpass", "pass", "secret",
	"qwerty", "qwertz", "azerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "qazwsx", "qweasd",
	"letmein", "iloveyou", "iloveu", "welcome", "hello", "helloworld", "whatever", "freedom",
	"admin", "administrator", "login", "root", "user", "guest", "test", "testing", "changeme", "default",
	"monkey", "dragon", "master", "shadow", "superman", "batman", "starwars", "pokemon", "matrix", "ninja",
	"football", "baseball", "soccer", "hockey", "liverpool", "chelsea", "arsenal",
	"sunshine", "princess", "flower", "lovely", "chocolate", "cheese", "trustno",
	"michael", "jennifer", "jordan", "hunter", "charlie", "computer", "internet", "access", "killer", "mustang",
	"spring", "summer", "autumn", "fall", "winter",
	"referraldesk", "referral", "referrals", "caseworker",
)

// isCommonPassword says whether p is one of commonPasswords, ignoring case
// and spaces, once digits and symbols are stripped from both ends and the
// usual stand-ins are read back as letters ("p@ssw0rd" is "password").
func isCommonPassword(p string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(p), ""))
	core := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return commonPasswords[unLeet(core)]
}

// leet reads back the digits and symbols people put for letters.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

func unLeet(s string) string { return leet.Replace(s) }

func setOf(words ...string) map[string]bool {
	set := make(map[string]bool, len(words))
	for _, w := range words {
		set[w] = true
	}
	return set
}
