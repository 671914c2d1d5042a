"""The vendor documents' own example payloads, copied verbatim (as text, so
their exact spelling of numbers, strings and casing reaches the parsers)."""

LV_TEMPLATES = r"""{
  "templates": [
    {
      "id": 75870,
      "message": "Hello reply yes for SMS Opt-In",
      "smsCode": "53063",
      "optInFlag": false
    },
    {
      "id": 75959,
      "description": "sms_blast",
      "message": "APItest",
      "smsCode": "53063",
      "optInFlag": false
    }
  ]
}"""

LV_SEND_TRANSACTIONAL = r"""{
  "transactionId": 51644325690
}"""

LV_SMS_CODES = r"""{
  "listSmsCodes": [
    {
      "code": "14159174458",
      "description": "Long_Code"
    }
  ]
}"""

LV_CHANNEL_COUNTS = r"""{
  "countOfEmailInteractionsSent": 3,
  "countOfSMSInteractionsSent": 0,
  "countOfMessageInteractionsSent": 0,
  "countOfUnreadEmailThreadsInPersonalInbox": 5,
  "countOfReadEmailThreadsInPersonalInbox": 11,
  "countOfUnreadSMSThreadsInPersonalInbox": 1,
  "countOfUnreadMessageInteractionsinPersonalInbox": 0,
  "countOfReadSMSThreadsInPersonalInbox": 2,
  "countOfReadMessageInteractionsinPersonalInbox": 0,
  "countOfChatInteractionsAbandoned": 0,
  "countOfOBWebChatInteractionsSent": 0,
  "countOfIBWebChatInteractionReceived": 0,
  "countOfActiveEmailThreadsInPersonalInbox": 1,
  "countOfActiveSMSThreadsInPersonalInbox": 0,
  "countOfActiveMessageThreadsinPersonalInbox": 0,
  "countOfActiveWebChatThreadsInPersonalInbox": 0
}"""

LV_CHANNELS = r"""[
  {
    "channel": "Email",
    "channelId": "645836",
    "channelName": "Personal Email",
    "unreadCount": 0,
    "totalCount": 1,
    "personal": true
  },
  {
    "channel": "Voicemail",
    "channelId": "9900001014",
    "channelName": "Personal Voicemail 9900001014",
    "unreadCount": 0,
    "totalCount": 0,
    "personal": true
  },
  {
    "channel": "Voicemail",
    "channelId": "9900001147",
    "channelName": "Service 94981 VM",
    "unreadCount": 0,
    "totalCount": 0,
    "personal": false
  },
  {
    "channel": "Voicemail",
    "channelId": "9900001025",
    "channelName": "Service 94987 VM",
    "unreadCount": 0,
    "totalCount": 0,
    "personal": false
  },
  {
    "channel": "Voicemail",
    "channelId": "9900001185",
    "channelName": "Service 95047 VM",
    "unreadCount": 0,
    "totalCount": 0,
    "personal": false
  },
  {
    "channel": "Voicemail",
    "channelId": "9900001016",
    "channelName": "Service 95075 VM",
    "unreadCount": 0,
    "totalCount": 0,
    "personal": false
  }
]"""

LV_THREADS = r"""[
  {
    "threadId": "56061444434",
    "read": true,
    "replied": true,
    "fileSize": 0,
    "channel": "SMS",
    "details": "",
    "to": "14154164061",
    "serviceId": 94874,
    "account": "1213",
    "direction": 0
  },
  {
    "threadId": "56047165976",
    "read": true,
    "replied": true,
    "fileSize": 0,
    "channel": "SMS",
    "details": "",
    "to": "14154164061",
    "serviceId": 94874,
    "account": "1213",
    "direction": 0
  },
  {
    "threadId": "56047127816",
    "read": true,
    "replied": true,
    "fileSize": 0,
    "channel": "SMS",
    "details": "",
    "to": "14154164061",
    "serviceId": 94874,
    "account": "1213",
    "direction": 0
  }
]"""

LV_TRANSFER = r"""{
  "id": "56047165976"
}"""

LV_TRANSFER_AGENTS = r"""[
  {
    "agentId": 645835,
    "loginId": "KAVYA",
    "name": "kavya livevox",
    "status": "NOTREADY"
  },
  {
    "agentId": 795963,
    "loginId": "APITEST1",
    "name": "apitest1 pass",
    "status": "NOTREADY"
  },
  {
    "agentId": 689581,
    "loginId": "KAVYA3",
    "name": "kavya3 livevox",
    "status": "READY"
  },
  {
    "agentId": 689579,
    "loginId": "KAVYA1",
    "name": "kavya11 livevox",
    "status": "READY"
  }
]"""

LV_AGENT_SEND = r"""{
  "id": "56284272387"
}"""

LV_HISTORY = r"""[
  {
    "id": "56061451356",
    "message": "API SMS Test Hi Kavita 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263753000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451355",
    "message": "API SMS Test sent by agent 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263753000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451328",
    "message": "Okay",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263132000,
    "status": "Operator Transfer",
    "direction": "1"
  },
  {
    "id": "56061451327",
    "message": "Good",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263117000,
    "status": "Operator Transfer",
    "direction": "1"
  },
  {
    "id": "56061451326",
    "message": "API SMS Test Hi Kavita 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263103000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451325",
    "message": "API SMS Test sent by agent 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666263102000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451220",
    "message": "API SMS Test Hi Kavita 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666259109000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451219",
    "message": "API SMS Test sent by agent 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666259108000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451207",
    "message": "API SMS Test Hi Kavita 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666258736000,
    "status": "SMS MT Delivered",
    "direction": "2"
  },
  {
    "id": "56061451206",
    "message": "API SMS Test sent by agent 2022-10-20T04:16:08.108Z",
    "smsCode": "13345094836",
    "phone": "14154164061",
    "date": 1666258735000,
    "status": "SMS MT Delivered",
    "direction": "2"
  }
]"""

ZOHO_SEND_V1 = r"""{
"code": "ZVSMS-2000",
"send": {
"multipartCount": 1,
"country": "in",
"submittedTime": 1667381258698,
"customerNumber": "+1 8XXXXXXXX7",
"message": "TEST",
"userName": "Mark",
"customerName": "Henry",
"senderId": "14XXXXXXXXX3",
"messageType": "OUTGOING",
"sentTime": "2022-11-02 14:57",
"logid": "40318437-aae8-4c91-bd1c-de52f8535445",
"email": "mark@zylker.com",
"status": "IN_QUEUE"
},
"status": "SUCCESS"
}"""

ZOHO_ERROR = r"""{
"code": "ZVSMS-4038",
"message": "Destination country not supported. Kindly contact zohovoice support",
"status": "ERROR"
}"""

ZOHO_SEND_V1_MMS = r"""{
"code": "ZVSMS-2000",
"send": {
"multipartCount": 1,
"country": "us",
"submittedTime": 1689851513187,
"customerNumber": "+1 4XXXXXXXXX73",
"message": "Hello,world!",
"userName": "Mark",
"customerName": "+1 4XXXXXXXX3",
"senderId": "+14XXXXXXXX90",
"messageType": "OUTGOING",
"isMMS": true,
"mmsMeta": [
{
"bucketName": "zohovoice-mms-test-6-15327576",
"fileName": "hd1970_preview.mp4",
"fileSize": 5125300,
"objectName": "hd1970_preview.mp4-1689851510892",
"fileExtn": "mp4",
"mmsId": "3dff6d5a-ed5d-416d-b24d-f5c3817862e4"
}
],
"sentTime": "2023-07-20 11:11",
"logid": "40318972-ffc8-4448-92ec-2f8494eafaa6",
"email": "mark@zylker.com",
"status": "IN_QUEUE"
},
"status": "SUCCESS"
}"""

ZOHO_LOGS = r"""{
"smsLogQuery": [
{
"country": "us",
"multipartCount": 1,
"submittedTime": 1702035249667,
"isBlocked": false,
"emailId": "mark@zylker.com",
"customerNumber": "+1 4XXXXXXXXX0",
"message": "Take this",
"userName": "Mark",
"customerName": "Josiah",
"zuid": 669069956,
"senderId": "+1 4XXXXXXXX73",
"messageType": "INCOMING",
"isMMS": true,
"mmsMeta": [
{
"bucketName": "zohovoice-mms-local-02-697950588",
"objectName": "697950588-mms-669069956-1702035250091",
"fileName": "697950588-mms-669069956-1702035250091",
"fileSize": "960637",
"mmsId": "6d39bf14-43cb-4cff-8a98-68ab1de26064",
"contentType": "image/jpeg"
}
],
"isLongCode": true,
"sentTime": "2023-12-08 17:04",
"logid": "953473b3-0b33-4d4e-a9c8-abf0ae8893c7",
"zsoid": "697950588",
"senderIdCountry": "us",
"senderIdName": "+1 46XXXXXXX73",
"status": "DELIVERED"
},
{
"country": "us",
"multipartCount": 1,
"submittedTime": 1702029127336,
"isBlocked": false,
"emailId": "mark@zylker.com",
"customerNumber": "+1 46XXXXXXXX0",
"message": "This is new",
"userName": "mark",
"customerName": "Josiah",
"zuid": 669069956,
"senderId": "+1 4XXXXXXXXX3",
"messageType": "INCOMING",
"isMMS": false,
"isLongCode": true,
"sentTime": "2023-12-08 15:22",
"logid": "bd1ed056-0662-4c1f-8074-10c05aab0b3a",
"zsoid": "697950588",
"senderIdCountry": "us",
"senderIdName": "+1 4XXXXXXXXX3",
"status": "DELIVERED"
}
],
"meta": {
"total": 4
},
"status": "success"
}"""

ZOHO_LOGS_ERROR = r"""{
"code": "ZVSMS-4038",
"message": "Destination country not supported. Kindly contact zohovoice support",
"status": "ERROR"
}"""

ZOHO_CHATLIST = r"""{
"chatlist": [
{
"country": "au",
"submittedTime": 1656313040887,
"messageId": "61a2d48d-45bf-4583-a34c-44b8f924a61e",
"customerNumber": "+61 2XXXXXXXX7",
"message": "test AUS SMS",
"userName": "Mark",
"customerName": "+6XXXXXXXXX7",
"zuid": 8956275,
"senderId": "+61 4XXXXXXXX5",
"statusDescription": "Message was not delivered due to one of the possible errors reported by SMSC",
"messageType": "OUTGOING",
"sentTime": "2022-06-26 19:57",
"logid": "66fccfe8-95e6-4a39-bd1a-5f258755ed81",
"zsoid": "696913717",
"email": "mark@zylker.com",
"status": "UNDELIVERED"
},
{
"country": "in",
"submittedTime": 1656057523864,
"messageId": "39ddc103-587f-4034-81c7-8b16d4842345",
"customerNumber": "+1 2XXXXXXXXX0",
"message": "test SMS",
"userName": "mark@zylker.com",
"customerName": "+1 14XXXXXXXX0",
"zuid": 8956275,
"senderId": "",
"statusDescription": "Message was not delivered due to expiration of timer or validity period",
"messageType": "OUTGOING",
"sentTime": "2022-06-23 20:58",
"logid": "eeb4352e-e0bd-4c42-b31d-56dd1d5f07d9",
"zsoid": "696913717",
"email": "mark@zylker.com",
"status": "EXPIRED"
}
],
"meta": {
"total": 20,
"totalPages": 2
},
"status": "success"
}"""

ZOHO_SCHEDULE = r"""{
"schedule": [
{
"multipartCount": 1,
"country": "us",
"scheduledTime": "2023-03-04 21:35:00",
"timeZone": "Pacific/Niue",
"customerNumber": "+1 46XXXXXXXX0",
"message": "this is scheduled SMS",
"userName": "Mark",
"customerName": "John",
"zuid": 8956275,
"jobId": "961000000506031",
"senderId": "+1 48XXXXXXX30",
"messageType": "OUTGOING",
"countryCode": "us",
"isLongCode": true,
"logid": "32712527-db0a-4aa9-840d-d0d3d72f7d0b",
"zsoid": "696913717",
"senderIdCountry": "us",
"senderIdName": "SMS TATA US",
"status": "IN_QUEUE"
}
],
"code": "200",
"status": "SUCCESS"
}"""

ZOHO_SEND_V2 = r"""{
  "code": "ZVSMS-2000",
  "send": {
    "multipartCount": 1,
    "country": "us",
    "submittedTime": 1689851513187,
    "customerNumber": "+1 4XXXXXXXXX73",
    "message": "Hello,world!",
    "userName": "Mark",
    "customerName": "+1 4XXXXXXXX3",
    "senderId": "+14XXXXXXXX90",
    "messageType": "OUTGOING",
    "isMMS": true,
    "mmsMeta": [
      {
        "bucketName": "zohovoice-mms-test-6-15327576",
        "fileName": "hd1970_preview.mp4",
        "fileSize": 5125300,
        "objectName": "hd1970_preview.mp4-1689851510892",
        "fileExtn": "mp4",
        "mmsId": "3dff6d5a-ed5d-416d-b24d-f5c3817862e4"
      }
    ],
    "sentTime": "2023-07-20 11:11",
    "logid": "40318972-ffc8-4448-92ec-2f8494eafaa6",
    "email": "mark@zylker.com",
    "status": "IN_QUEUE"
  },
  "status": "SUCCESS"
}"""

ZOHO_SEND_V2_ERROR = r"""{
 "status": "ERROR",
 "code": "ZVSMS-4027",
 "message": "Bad Request"
}"""
