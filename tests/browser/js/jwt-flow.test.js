import { challenge, pyjwtSaid, readableTime, relative, sentText, tokenTimes, verdict } from "/static/js/widgets/jwt-flow/flow.js";

const issued = {
  payload: { sub: "alice", iat: 1000, exp: 2800 },
  issued_at: "1970-01-01T00:16:40Z",
  expires_at: "1970-01-01T00:46:40Z",
};

const table = [
  ["relative: half an hour ahead", () => relative(1800), "in 30 min"],
  ["relative: two units at most", () => relative(90061), "in 1 d 1 h"],
  ["relative: in the past", () => relative(-5), "5 s ago"],
  ["relative: now", () => relative(0.2), "in 0 s"],
  ["readable time", () => readableTime("2026-12-02T14:05:00.123Z"), "2026-12-02 14:05:00 UTC"],
  ["readable time: none", () => readableTime(null), null],
  ["token times: valid", () => tokenTimes(issued, 1500).map((l) => l.text), [
    "issued 1970-01-01 00:16:40 UTC",
    "expires 1970-01-01 00:46:40 UTC, 30 min after it was issued (still valid by the app's clock: in 21 min 40 s)",
  ]],
  ["token times: expired", () => tokenTimes(issued, 2801)[1].text.endsWith("(expired by the app's clock: 1 s ago)"), true],
  ["token times: no exp", () => tokenTimes({ payload: { sub: "a" } }, 0), [{ claim: "exp", text: "no exp claim: this token never expires" }]],
  ["token times: no readable token", () => tokenTimes({ problem: "x" }, 0), []],
  ["pyjwt: refused", () => pyjwtSaid([{ function: "decode", algorithms: ["HS256"], verified: true, raised: "ExpiredSignatureError", message: "Signature has expired" }]), [
    { ok: false, text: "jwt.decode (accepting HS256) refused the token: ExpiredSignatureError: Signature has expired" },
  ]],
  ["pyjwt: accepted", () => pyjwtSaid([{ function: "decode", algorithms: ["HS256"], verified: true, claims: { sub: "alice" } }])[0].text.endsWith('accepted the token (sub: "alice").'), true],
  ["pyjwt: unverified", () => pyjwtSaid([{ function: "decode", algorithms: [], verified: false, claims: {} }])[0].ok, false],
  ["pyjwt: encode", () => pyjwtSaid([{ function: "encode", algorithms: ["HS512"], verified: true }])[0].text, "jwt.encode signed the claims with HS512."],
  ["sent: nothing", () => sentText({ header: null }), "No Authorization header was sent."],
  ["sent: other scheme", () => sentText({ header: "Basic x", scheme: "Basic" }), "The Authorization header uses the Basic scheme, not Bearer."],
  ["sent: bad shape", () => sentText({ header: "Bearer ...", token: { problem: "A JWT is three parts." } }), "The bearer token is no readable JWT. A JWT is three parts."],
  ["verdict: as expected", () => verdict(401, { status: 401 }).ok, true],
  ["verdict: crash", () => verdict(401, { status: 500 }).text, "Answered 500: your app crashed instead of answering 401. The Output below shows where."],
  ["verdict: let in", () => verdict(401, { status: 200 }).text, "Answered 200: your app let this request in. A correct app refuses it with 401."],
  ["verdict: not sent", () => verdict(200, { status: 0, skipped: "Not sent: why." }), { ok: false, text: "Not sent: why." }],
  ["challenge: found in any case", () => challenge({ headers: [["WWW-Authenticate", "Bearer"]] }), "Bearer"],
  ["challenge: none", () => challenge({ headers: [] }), null],
];

export default table.map(([name, run, expected]) => ({ name, run, expected }));
