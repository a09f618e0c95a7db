package openapi_test

import (
	"encoding/json"
	"fmt"

	"github.com/ufhook/ufhook/gen"
	"github.com/ufhook/ufhook/openapi"
)

// An importer checks a webhook body against the spec, then decodes it into
// the generated types.
func ExampleValidate() {
	body := []byte(`{"action":"create","model":"user","mode":"test","record":{
		"mode":"test","userId":7,"userUuid":"6b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		"tenantId":"demo1234","username":null,"email":"sam@example.com","name":"Sam",
		"image":null,"phoneNumber":null,"data":{},"locked":false,
		"isEmailConfirmed":true,"isPhoneNumberConfirmed":false,
		"isMfaRequired":false,"isConfirmed":true,"createdAt":"2024-05-15T23:04:50.787Z",
		"authorization":{},"uuid":"6b1e2d3c-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
		"authentication":{"firstFactors":[{"channel":"email","strategy":"password"}],"secondFactors":[]},
		"shoeSize":44}}`)
	if err := openapi.Validate(openapi.MustLookup("user.created"), body); err != nil {
		fmt.Println(err)
		return
	}
	var ev gen.UserCreatedEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Model, ev.Action, ev.Mode, ev.Record.UserID, ev.Record.Email.MustGet(), ev.Record.Username.IsNull())

	err := openapi.Validate(openapi.MustLookup("user.created"), []byte(`{"action":"create","model":"user","mode":"staging","record":{}}`))
	fmt.Println(err != nil)
	// Output:
	// user create test 7 sam@example.com true
	// true
}

// Events lists the catalog from the document's webhooks section.
func ExampleEvents() {
	evs, _ := openapi.Events()
	for _, ev := range evs {
		fmt.Println(ev.Name, ev.OperationID)
	}
	// Output:
	// user.created userCreated
	// user.updated userUpdated
	// user.deleted userDeleted
	// tenant.created tenantCreated
	// tenant.updated tenantUpdated
	// tenant.deleted tenantDeleted
	// user.login.link.email userLoginLinkEmail
	// user.login.code.email userLoginCodeEmail
	// user.login.code.sms userLoginCodeSms
}

// Three webhooks share model user and action login; their factor's consts
// tell them apart, and Matches routes a decoded body by them.
func ExampleEvent_Matches() {
	body, _ := openapi.DecodeJSON([]byte(`{"action":"login","model":"user","mode":"test",
		"factor":{"strategy":"verificationCode","channel":"sms","phoneNumber":"+15555550123"}}`))
	evs, _ := openapi.Events()
	for _, ev := range evs {
		if ev.Matches(body) {
			fmt.Println(ev.Name, ev.Consts())
		}
	}
	// Output:
	// user.login.code.sms map[/action:login /factor/channel:sms /factor/strategy:verificationCode /model:user]
}
