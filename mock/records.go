package mock

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/ufhook/ufhook/gen"
)

// Timestamps fall in a fixed window, not around time.Now, so that a seed
// always gives the same bytes.
var (
	epochStart = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	epochSpan  = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).UnixMilli() - epochStart
)

const (
	day = int64(24 * time.Hour / time.Millisecond)
	// tenantIDChars are the characters of an 8-character tenantId, weighted
	// towards letters as in demo1234, p9ny8bdj, wn9mwypn.
	tenantIDChars = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789"
)

// tenantName is a tenant's display name, "<Lastname> <Kind>", kept in parts
// so that writing it allocates nothing.
type tenantName struct {
	base person
	kind string
}

func (n tenantName) appendTo(b []byte) []byte {
	b = append(b, n.base.name...)
	b = append(b, ' ')
	return append(b, n.kind...)
}

func (n tenantName) String() string { return string(n.appendTo(nil)) }

// appendAlias appends the tenant's alias, e.g. "hansen-labs".
func (n tenantName) appendAlias(b []byte) []byte {
	b = append(b, n.base.slug...)
	b = append(b, '-')
	for i := 0; i < len(n.kind); i++ {
		c := n.kind[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func (f *Faker) tenantID() (id [8]byte) {
	for i := range id {
		id[i] = tenantIDChars[f.r.IntN(len(tenantIDChars))]
	}
	return id
}

func (f *Faker) tenantName() tenantName {
	return tenantName{base: lastNames[f.r.IntN(len(lastNames))], kind: tenantKinds[f.r.IntN(len(tenantKinds))]}
}

// uuid returns a random version 4 UUID.
func (f *Faker) uuid() (u [16]byte) {
	a, c := f.r.Uint64(), f.r.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(c >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (f *Faker) chance(percent int) bool { return f.r.IntN(100) < percent }

// dataRec is a free-form "data" object drawn from templates that resemble
// what apps store in Userfront: plans, Stripe ids, preferences, onboarding.
type dataRec struct {
	kind   int
	n      int
	s1, s2 string
	flag   bool
	id     [14]byte
}

const (
	dataEmpty = iota
	dataCustom
	dataPlan
	dataStripe
	dataPrefs
	dataOnboarding
	dataMixed
	dataRegion
	dataBilling
	dataFeatures
	userDataKinds = dataMixed + 1
)

func (f *Faker) data(kind int) dataRec {
	d := dataRec{kind: kind, flag: f.r.IntN(2) == 0}
	switch kind {
	case dataPlan, dataBilling:
		d.s1, d.n = planTiers[f.r.IntN(len(planTiers))], 1+f.r.IntN(50)
		d.s2 = regions[f.r.IntN(len(regions))]
	case dataStripe:
		for i := range d.id {
			d.id[i] = tenantIDChars[f.r.IntN(len(tenantIDChars))]
		}
	case dataPrefs:
		d.s1, d.s2 = themes[f.r.IntN(len(themes))], locales[f.r.IntN(len(locales))]
	case dataOnboarding:
		d.n, d.s1 = 1+f.r.IntN(6), referrers[f.r.IntN(len(referrers))]
	case dataMixed:
		d.s1, d.n = planTiers[f.r.IntN(len(planTiers))], 1+f.r.IntN(50)
		d.s2 = themes[f.r.IntN(len(themes))]
	case dataRegion:
		d.s1 = regions[f.r.IntN(len(regions))]
	case dataFeatures:
		d.n = 1 + f.r.IntN(1<<len(features)-1)
	}
	return d
}

func (d *dataRec) appendJSON(b []byte) []byte {
	switch d.kind {
	case dataCustom:
		return append(b, `{"custom":"data"}`...)
	case dataPlan:
		b = append(b, `{"plan":{"tier":`...)
		b = appendString(b, d.s1)
		b = appendIntField(b, "seats", d.n)
		return append(b, '}', '}')
	case dataStripe:
		b = append(b, `{"stripeCustomerId":"cus_`...)
		b = append(b, d.id[:]...)
		return append(b, '"', '}')
	case dataPrefs:
		b = append(b, `{"preferences":{"theme":`...)
		b = appendString(b, d.s1)
		b = appendBoolField(b, "newsletter", d.flag)
		b = appendStringField(b, "locale", d.s2)
		return append(b, '}', '}')
	case dataOnboarding:
		b = append(b, `{"onboarding":{"completed":`...)
		b = strconv.AppendBool(b, d.flag)
		b = appendIntField(b, "step", d.n)
		b = append(b, '}')
		b = appendStringField(b, "referrer", d.s1)
		return append(b, '}')
	case dataMixed:
		b = append(b, `{"plan":{"tier":`...)
		b = appendString(b, d.s1)
		b = appendIntField(b, "seats", d.n)
		b = append(b, `},"preferences":{"theme":`...)
		b = appendString(b, d.s2)
		b = append(b, `},"tags":["beta"`...)
		if d.flag {
			b = append(b, `,"vip"`...)
		}
		return append(b, ']', '}')
	case dataRegion:
		b = append(b, `{"region":`...)
		b = appendString(b, d.s1)
		return append(b, '}')
	case dataBilling:
		b = append(b, `{"billing":{"plan":`...)
		b = appendString(b, d.s1)
		b = appendIntField(b, "seats", d.n)
		b = append(b, '}')
		b = appendStringField(b, "region", d.s2)
		return append(b, '}')
	case dataFeatures:
		b = append(b, `{"features":[`...)
		first := true
		for i, name := range features {
			if d.n&(1<<i) != 0 {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = appendString(b, name)
			}
		}
		return append(b, ']', '}')
	}
	return append(b, '{', '}')
}

func (d *dataRec) toMap() map[string]any {
	m := map[string]any{}
	if err := json.Unmarshal(d.appendJSON(nil), &m); err != nil {
		panic("mock: data template is not JSON: " + err.Error())
	}
	return m
}

// userRec is a generated user, kept as parts so that writing it allocates
// nothing.
type userRec struct {
	mode   gen.Mode
	shape  Shape
	userID int
	uuid   [16]byte
	tenant [8]byte
	tname  tenantName

	first, last  person
	nameEmpty    bool
	emailNull    bool
	emailStyle   int
	emailNum     int
	domain       string
	usernameNull bool
	userStyle    int
	userNum      int
	image        int // avatar number; 0 means null
	phone        [16]byte
	phoneLen     int // 0 means null
	data         dataRec

	locked, mfa                     bool
	emailConfirmed, phoneConfirmed  bool
	firstFactors                    [3]factor
	nFirst                          int
	secondFactors                   [2]factor
	nSecond                         int
	pref1, pref2                    int // index+1 in the factor lists; 0 means null
	createdAt, updatedAt            int64
	lastActiveAt, lastMessagedAt    int64 // 0 means null
	roles, perms                    int   // bit masks over roleNames and permissions
	authVerbose                     bool
	aliasNull, imageNull, pathsNull bool // of the embedded tenant summary
}

func (f *Faker) newUser(mode gen.Mode, shape Shape) {
	u := &f.user
	*u = userRec{mode: mode, shape: shape, userID: f.nextUserID, tenant: f.homeID, tname: f.home}
	f.nextUserID++
	u.uuid = f.uuid()
	u.first = firstNames[f.r.IntN(len(firstNames))]
	u.last = lastNames[f.r.IntN(len(lastNames))]
	u.emailStyle, u.emailNum = f.r.IntN(6), f.r.IntN(100)
	u.domain = emailDomains[f.r.IntN(len(emailDomains))]
	u.userStyle, u.userNum = f.r.IntN(5), f.r.IntN(1000)
	u.image = 1 + f.r.IntN(12)
	u.createdAt = epochStart + f.r.Int64N(epochSpan)
	u.updatedAt = u.createdAt
	u.locked = f.chance(7)
	u.roles = 1 << f.r.IntN(3) // admin, member or viewer
	if f.chance(15) {
		u.roles |= 1 << (3 + f.r.IntN(3))
	}
	u.perms = 1 + f.r.IntN(1<<len(permissions)-1)

	// Sign-up method: email (password, link or code), SMS, or SSO.
	method := f.r.IntN(100)
	switch {
	case method < 70:
		u.firstFactors[0] = emailFactors[f.r.IntN(len(emailFactors))]
		u.nFirst = 1
		if f.chance(30) {
			u.firstFactors[1] = factorEmailLink
			if u.firstFactors[0] == factorEmailLink {
				u.firstFactors[1] = factorEmailPassword
			}
			u.nFirst = 2
		}
		u.emailConfirmed = f.chance(75)
	case method < 80:
		u.firstFactors[0] = factorSMSCode
		u.nFirst = 1
		u.emailNull = f.chance(60)
		u.usernameNull = u.emailNull || f.chance(20)
		u.emailConfirmed = !u.emailNull && f.chance(50)
	default:
		// SSO sign-up: a single user.created with the user already confirmed.
		u.firstFactors[0] = factor{"email", ssoNames[f.r.IntN(len(ssoNames))]}
		u.nFirst = 1
		u.emailConfirmed = true
	}
	u.usernameNull = u.usernameNull || f.chance(10)
	u.nameEmpty = f.chance(12)
	if u.firstFactors[0] == factorSMSCode || f.chance(40) {
		f.phone(u)
		u.phoneConfirmed = u.firstFactors[0] == factorSMSCode || f.chance(50)
	}
	if f.chance(25) {
		u.secondFactors[0] = secondFactors[f.r.IntN(len(secondFactors))]
		u.nSecond = 1
		u.mfa = f.chance(60)
		u.pref2 = 1
	}
	if f.chance(90) {
		u.pref1 = 1 + f.r.IntN(u.nFirst)
	}
	if f.chance(5) {
		u.image = 0
	}
	if !f.chance(35) {
		u.data = f.data(1 + f.r.IntN(userDataKinds-1))
	}
	if f.chance(40) {
		u.roles = 0
	}
	u.authVerbose = f.chance(10)

	switch shape {
	case Full:
		f.fillUser(u)
	case Sparse:
		u.nameEmpty, u.emailNull, u.usernameNull = true, true, true
		u.image, u.phoneLen, u.data, u.roles = 0, 0, dataRec{}, 0
	}
}

// fillUser makes every optional or nullable field of u present and non-null.
func (f *Faker) fillUser(u *userRec) {
	u.nameEmpty, u.emailNull, u.usernameNull = false, false, false
	if u.image == 0 {
		u.image = 1 + f.r.IntN(12)
	}
	if u.phoneLen == 0 {
		f.phone(u)
	}
	if u.data.kind == dataEmpty {
		u.data = f.data(dataPlan + f.r.IntN(userDataKinds-dataPlan))
	}
	if u.nSecond == 0 {
		u.secondFactors[0] = factorTOTP
		u.nSecond = 1
	}
	u.pref1, u.pref2 = 1, 1
	if u.roles == 0 {
		u.roles = 1
	}
	u.authVerbose = true
	u.updatedAt = u.createdAt + f.r.Int64N(200*day)
	u.lastActiveAt = u.updatedAt + f.r.Int64N(30*day)
	u.lastMessagedAt = u.createdAt + f.r.Int64N(u.lastActiveAt-u.createdAt+1)
}

// phone gives u a fictional E.164 number: the ranges that the US, the UK and
// Australia reserve for drama, or a random German or French mobile.
func (f *Faker) phone(u *userRec) {
	b := u.phone[:0]
	switch f.r.IntN(5) {
	case 0, 1: // +1 NXX 555 01XX
		b = append(b, "+1"...)
		b = appendPad(b, 200+f.r.IntN(800), 3)
		b = append(b, "55501"...)
		b = appendPad(b, f.r.IntN(100), 2)
	case 2: // +44 7700 900XXX
		b = append(b, "+447700900"...)
		b = appendPad(b, f.r.IntN(1000), 3)
	case 3: // +61 491 570 XXX
		b = append(b, "+61491570"...)
		b = appendPad(b, f.r.IntN(1000), 3)
	default:
		if f.r.IntN(2) == 0 {
			b = append(b, "+4915"...)
			b = appendPad(b, f.r.IntN(100000000), 8)
		} else {
			b = append(b, "+336"...)
			b = appendPad(b, f.r.IntN(100000000), 8)
		}
	}
	u.phoneLen = len(b)
}

func (u *userRec) appendName(b []byte) []byte {
	b = append(b, u.first.name...)
	b = append(b, ' ')
	return append(b, u.last.name...)
}

func (u *userRec) appendEmail(b []byte) []byte {
	switch u.emailStyle {
	case 0:
		b = append(append(append(b, u.first.slug...), '.'), u.last.slug...)
	case 1:
		b = append(append(b, u.first.slug...), u.last.slug...)
	case 2:
		b = append(append(append(b, u.first.slug...), '.'), u.last.slug...)
		b = appendPad(b, u.emailNum, 2)
	case 3:
		b = append(append(b, u.first.slug[0]), u.last.slug...)
	case 4:
		b = append(append(append(b, u.first.slug...), '_'), u.last.slug...)
	default:
		b = appendPad(append(b, u.first.slug...), 1900+u.emailNum, 4)
	}
	return append(append(b, '@'), u.domain...)
}

func (u *userRec) appendUsername(b []byte) []byte {
	switch u.userStyle {
	case 0:
		return append(append(append(b, u.first.slug...), '-'), u.last.slug...)
	case 1:
		return append(append(b, u.first.slug...), u.last.slug...)
	case 2:
		return append(append(append(b, u.first.slug...), '_'), u.last.slug...)
	case 3:
		return append(append(b, u.first.slug[0]), u.last.slug...)
	}
	return appendPad(append(b, u.first.slug...), u.userNum, 1)
}

const avatarBase = "https://res.cloudinary.com/component/image/upload/avatars/"

func appendFactor(b []byte, fc factor) []byte {
	b = append(b, `{"channel":`...)
	b = appendString(b, fc.channel)
	b = appendStringField(b, "strategy", fc.strategy)
	return b
}

func (f *Faker) closeObject(b []byte, shape Shape) []byte {
	if shape == WithUnknownFields && f.chance(50) {
		b = f.appendUnknown(b)
	}
	return append(b, '}')
}

func (u *userRec) appendJSON(f *Faker, b []byte) []byte {
	b = append(b, '{')
	b = appendStringField(b, "mode", string(u.mode))
	b = appendIntField(b, "userId", u.userID)
	b = append(appendKey(b, "userUuid"), '"')
	b = append(appendUUID(b, u.uuid), '"')
	b = appendKey(b, "username")
	if u.usernameNull {
		b = append(b, "null"...)
	} else {
		b = append(u.appendUsername(append(b, '"')), '"')
	}
	b = appendKey(b, "email")
	if u.emailNull {
		b = append(b, "null"...)
	} else {
		b = append(u.appendEmail(append(b, '"')), '"')
	}
	b = appendKey(b, "name")
	if u.nameEmpty {
		b = append(b, `""`...)
	} else {
		b = append(u.appendName(append(b, '"')), '"')
	}
	b = appendKey(b, "image")
	if u.image == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, `"`+avatarBase+`avatar-plain-`...)
		b = appendPad(b, u.image, 1)
		b = append(b, `.png"`...)
	}
	b = appendKey(b, "phoneNumber")
	if u.phoneLen == 0 {
		b = append(b, "null"...)
	} else {
		b = append(append(append(b, '"'), u.phone[:u.phoneLen]...), '"')
	}
	b = u.data.appendJSON(appendKey(b, "data"))
	b = appendBoolField(b, "locked", u.locked)
	if u.shape != Sparse {
		b = appendBoolField(b, "isMfaRequired", u.mfa)
		b = appendKey(b, "preferredFirstFactor")
		if u.pref1 == 0 {
			b = append(b, "null"...)
		} else {
			b = f.closeObject(appendFactor(b, u.firstFactors[u.pref1-1]), u.shape)
		}
		b = appendKey(b, "preferredSecondFactor")
		if u.pref2 == 0 {
			b = append(b, "null"...)
		} else {
			b = f.closeObject(appendFactor(b, u.secondFactors[u.pref2-1]), u.shape)
		}
	}
	b = appendBoolField(b, "isEmailConfirmed", u.emailConfirmed)
	b = appendBoolField(b, "isPhoneNumberConfirmed", u.phoneConfirmed)
	if u.shape == Full {
		b = appendTime(appendKey(b, "lastActiveAt"), u.lastActiveAt)
		b = appendTime(appendKey(b, "lastMessagedAt"), u.lastMessagedAt)
	}
	b = appendTime(appendKey(b, "createdAt"), u.createdAt)
	if u.shape == Full {
		b = appendTime(appendKey(b, "updatedAt"), u.updatedAt)
		b = appendKey(b, "tenant")
		b = appendTenantSummary(b, u.tenant, u.tname)
	}
	b = appendKey(b, "authorization")
	b = append(b, '{')
	if u.roles != 0 {
		b = append(append(append(b, '"'), u.tenant[:]...), '"', ':', '{')
		if u.authVerbose {
			b = append(append(append(appendKey(b, "tenantId"), '"'), u.tenant[:]...), '"')
			b = append(u.tname.appendTo(append(appendKey(b, "name"), '"')), '"')
		}
		b = appendMask(appendKey(b, "roles"), roleNames, u.roles)
		if u.authVerbose {
			b = appendMask(appendKey(b, "permissions"), permissions, u.perms)
		}
		b = f.closeObject(b, u.shape)
	}
	b = append(b, '}')
	b = append(append(append(appendKey(b, "tenantId"), '"'), u.tenant[:]...), '"')
	if u.shape != Sparse {
		b = appendBoolField(b, "isConfirmed", u.emailConfirmed || u.phoneConfirmed)
		b = append(appendKey(b, "uuid"), '"')
		b = append(appendUUID(b, u.uuid), '"')
		b = append(appendKey(b, "authentication"), `{"firstFactors":[`...)
		for i := range u.nFirst {
			if i > 0 {
				b = append(b, ',')
			}
			b = f.closeObject(appendFactor(b, u.firstFactors[i]), u.shape)
		}
		b = append(b, `],"secondFactors":[`...)
		for i := range u.nSecond {
			if i > 0 {
				b = append(b, ',')
			}
			b = f.closeObject(appendFactor(b, u.secondFactors[i]), u.shape)
		}
		b = f.closeObject(append(b, ']'), u.shape)
	}
	return f.closeObject(b, u.shape)
}

func appendTenantSummary(b []byte, id [8]byte, name tenantName) []byte {
	b = append(append(append(b, `{"tenantId":"`...), id[:]...), '"')
	b = append(name.appendAlias(append(appendKey(b, "aliasId"), '"')), '"')
	b = append(name.appendTo(append(appendKey(b, "name"), '"')), '"')
	b = append(b, `,"image":"`+avatarBase+`icon-`...)
	b = appendPad(b, 1+int(id[0])%20, 1)
	b = append(b, `.png"`...)
	b = appendStringField(b, "loginRedirectPath", "/dashboard")
	b = appendStringField(b, "logoutRedirectPath", "/login")
	return append(b, '}')
}

func appendMask(b []byte, names []string, mask int) []byte {
	b = append(b, '[')
	first := true
	for i, n := range names {
		if mask&(1<<i) != 0 {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, n)
		}
	}
	return append(b, ']')
}

func maskList(names []string, mask int) []string {
	out := make([]string, 0, len(names))
	for i, n := range names {
		if mask&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// update changes the user as an edit in the dashboard or a PUT would: the
// data always, and one of the name, the lock, the email confirmation or the
// phone number.
func (u *userRec) update(f *Faker) {
	old := u.data.kind
	if u.shape != Sparse {
		for u.data.kind == old {
			u.data = f.data(1 + f.r.IntN(userDataKinds-1))
		}
	}
	switch f.r.IntN(4) {
	case 0:
		if u.shape != Sparse {
			u.last = lastNames[f.r.IntN(len(lastNames))]
			u.nameEmpty = false
			break
		}
		fallthrough
	case 1:
		u.locked = !u.locked
	case 2:
		if !u.emailConfirmed && !u.emailNull {
			u.emailConfirmed = true
			break
		}
		u.locked = !u.locked
	default:
		if u.shape == Sparse {
			u.locked = !u.locked
			break
		}
		f.phone(u)
	}
	u.updatedAt += 1 + f.r.Int64N(90*day)
	if u.shape == Full {
		u.lastActiveAt = u.updatedAt + f.r.Int64N(day)
	}
}

func nullableString(null bool, s string) nullable.Nullable[string] {
	if null {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(s)
}

func (u *userRec) toGen() gen.User {
	uuid := openapi_types.UUID(u.uuid)
	mfa := u.mfa // u is the Faker's, reused by the next record
	tid := string(u.tenant[:])
	name := ""
	if !u.nameEmpty {
		name = string(u.appendName(nil))
	}
	out := gen.User{
		Mode:                   u.mode,
		UserID:                 u.userID,
		UserUUID:               uuid,
		UUID:                   &uuid,
		TenantID:               tid,
		Username:               nullableString(u.usernameNull, string(u.appendUsername(nil))),
		Name:                   name,
		Image:                  nullableString(u.image == 0, avatarBase+"avatar-plain-"+strconv.Itoa(u.image)+".png"),
		PhoneNumber:            nullableString(u.phoneLen == 0, string(u.phone[:u.phoneLen])),
		Data:                   u.data.toMap(),
		Locked:                 u.locked,
		IsMfaRequired:          &mfa,
		IsEmailConfirmed:       u.emailConfirmed,
		IsPhoneNumberConfirmed: u.phoneConfirmed,
		CreatedAt:              time.UnixMilli(u.createdAt).UTC(),
		Authorization:          map[string]gen.TenantAuthorization{},
		Authentication:         &gen.Authentication{FirstFactors: []gen.Factor{}, SecondFactors: []gen.Factor{}},
	}
	if u.emailNull {
		out.Email = nullable.NewNullNullable[openapi_types.Email]()
	} else {
		out.Email = nullable.NewNullableWithValue(openapi_types.Email(u.appendEmail(nil)))
	}
	confirmed := u.emailConfirmed || u.phoneConfirmed
	out.IsConfirmed = &confirmed
	updated := time.UnixMilli(u.updatedAt).UTC()
	out.UpdatedAt = &updated
	for i := range u.nFirst {
		out.Authentication.FirstFactors = append(out.Authentication.FirstFactors, gen.Factor{Channel: u.firstFactors[i].channel, Strategy: u.firstFactors[i].strategy})
	}
	for i := range u.nSecond {
		out.Authentication.SecondFactors = append(out.Authentication.SecondFactors, gen.Factor{Channel: u.secondFactors[i].channel, Strategy: u.secondFactors[i].strategy})
	}
	out.PreferredFirstFactor = nullable.NewNullNullable[gen.Factor]()
	if u.pref1 > 0 {
		out.PreferredFirstFactor = nullable.NewNullableWithValue(out.Authentication.FirstFactors[u.pref1-1])
	}
	out.PreferredSecondFactor = nullable.NewNullNullable[gen.Factor]()
	if u.pref2 > 0 {
		out.PreferredSecondFactor = nullable.NewNullableWithValue(out.Authentication.SecondFactors[u.pref2-1])
	}
	if u.roles != 0 {
		a := gen.TenantAuthorization{Roles: maskList(roleNames, u.roles)}
		if u.authVerbose {
			tname := u.tname.String()
			perms := maskList(permissions, u.perms)
			a.TenantID, a.Name, a.Permissions = &tid, &tname, &perms
		}
		out.Authorization[tid] = a
	}
	return out
}

// tenantRec is a generated tenant.
type tenantRec struct {
	mode      gen.Mode
	shape     Shape
	id        [8]byte
	uuid      [16]byte
	name      tenantName
	plain     bool // the plainer webhook form: no uuid, aliasId, type or roles
	alias     bool
	testID    [8]byte
	typ       string
	image     int // 0 means null
	data      dataRec
	login     string // "" means null
	logout    string // "" means null
	roles     int
	nameEmpty bool
}

func (f *Faker) newTenant(mode gen.Mode, shape Shape) {
	t := &f.tenant
	*t = tenantRec{mode: mode, shape: shape, id: f.tenantID(), uuid: f.uuid(), name: f.tenantName()}
	t.testID = f.tenantID()
	t.plain = f.chance(30)
	t.alias = f.chance(20)
	t.typ = tenantTypes[f.r.IntN(len(tenantTypes))]
	t.image = 1 + f.r.IntN(20)
	if f.chance(15) {
		t.image = 0
	}
	if f.chance(50) {
		t.data = f.data(dataRegion + f.r.IntN(3))
	}
	if !f.chance(10) {
		t.login = loginPaths[f.r.IntN(len(loginPaths))]
	}
	if !f.chance(10) {
		t.logout = logoutPaths[f.r.IntN(len(logoutPaths))]
	}
	t.roles = 7 // admin, member, viewer
	if f.chance(30) {
		t.roles |= 1 << (3 + f.r.IntN(3))
	}
	switch shape {
	case Full:
		t.plain, t.alias = false, true
		if t.image == 0 {
			t.image = 1 + f.r.IntN(20)
		}
		if t.data.kind == dataEmpty {
			t.data = f.data(dataBilling)
		}
		if t.login == "" {
			t.login = loginPaths[0]
		}
		if t.logout == "" {
			t.logout = logoutPaths[0]
		}
	case Sparse:
		t.nameEmpty = true
	}
}

func (t *tenantRec) appendJSON(f *Faker, b []byte) []byte {
	b = append(append(append(b, `{"tenantId":"`...), t.id[:]...), '"')
	if t.shape == Sparse {
		b = appendKey(b, "name")
		if t.nameEmpty {
			return append(b, `""}`...)
		}
		return append(t.name.appendTo(append(b, '"')), '"', '}')
	}
	if !t.plain {
		b = append(appendKey(b, "uuid"), '"')
		b = append(appendUUID(b, t.uuid), '"')
		b = appendKey(b, "aliasId")
		if t.alias {
			b = append(t.name.appendAlias(append(b, '"')), '"')
		} else {
			b = append(b, "null"...)
		}
	}
	if t.shape == Full {
		b = append(append(append(appendKey(b, "testTenantId"), '"'), t.testID[:]...), '"')
	}
	b = appendKey(b, "name")
	if t.nameEmpty {
		b = append(b, `""`...)
	} else {
		b = append(t.name.appendTo(append(b, '"')), '"')
	}
	if !t.plain {
		b = appendStringField(b, "type", t.typ)
	}
	b = appendStringField(b, "mode", string(t.mode))
	b = appendKey(b, "image")
	if t.image == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, `"`+avatarBase+`icon-`...)
		b = appendPad(b, t.image, 1)
		b = append(b, `.png"`...)
	}
	b = t.data.appendJSON(appendKey(b, "data"))
	b = appendKey(b, "loginRedirectPath")
	if t.login == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, t.login)
	}
	b = appendKey(b, "logoutRedirectPath")
	if t.logout == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, t.logout)
	}
	if !t.plain {
		b = append(appendKey(b, "roles"), '[')
		first := true
		for i, n := range roleNames {
			if t.roles&(1<<i) != 0 {
				if !first {
					b = append(b, ',')
				}
				first = false
				b = f.closeObject(appendString(append(b, `{"name":`...), n), t.shape)
			}
		}
		b = append(b, ']')
	}
	return f.closeObject(b, t.shape)
}

// update changes the tenant as a PUT would: a new name, icon or data.
func (t *tenantRec) update(f *Faker) {
	if t.shape == Sparse {
		t.nameEmpty = false
		t.name = f.tenantName()
		return
	}
	switch f.r.IntN(3) {
	case 0:
		old := t.name
		for t.name == old {
			t.name = f.tenantName()
		}
	case 1:
		t.image = 1 + (t.image+f.r.IntN(18))%20
		if t.shape == Full {
			t.data = f.data(dataBilling)
		}
	default:
		old := t.data
		for t.data == old {
			t.data = f.data(dataRegion + f.r.IntN(3))
		}
	}
}

func (t *tenantRec) toGen() gen.Tenant {
	uuid := openapi_types.UUID(t.uuid)
	mode := t.mode
	data := t.data.toMap()
	roles := make([]gen.Role, 0, len(roleNames))
	for _, n := range maskList(roleNames, t.roles) {
		roles = append(roles, gen.Role{Name: n})
	}
	typ := t.typ
	out := gen.Tenant{
		TenantID:           string(t.id[:]),
		UUID:               &uuid,
		AliasID:            nullableString(!t.alias, string(t.name.appendAlias(nil))),
		Name:               t.name.String(),
		Type:               &typ,
		Mode:               &mode,
		Image:              nullableString(t.image == 0, avatarBase+"icon-"+strconv.Itoa(t.image)+".png"),
		Data:               &data,
		LoginRedirectPath:  nullableString(t.login == "", t.login),
		LogoutRedirectPath: nullableString(t.logout == "", t.logout),
		Roles:              &roles,
	}
	if t.nameEmpty {
		out.Name = ""
	}
	return out
}
