import { findRoute, statusChange, statusOf } from "/static/js/widgets/response-filter/decorator.js";

const code = [
  "from fastapi import FastAPI, status",
  "app = FastAPI()",
  "",
  '@app.get("/users/{user_id}", response_model=UserOut)',
  "def read_user(user_id: int): ...",
  "",
  '@app.post("/users", status_code=201)',
  "def create_user(): ...",
  "",
  "@app.delete(",
  '    "/users/{user_id}",',
  "    status_code=status.HTTP_204_NO_CONTENT,",
  ")",
  "def delete_user(user_id: int): ...",
].join("\n");
const apply = (text, change) => text.slice(0, change.from) + change.insert + text.slice(change.to);
const route = (method, path) => findRoute(code, method, path);

export default [
  { name: "a path parameter matches", run: () => route("GET", "/users/7").line, expected: 4 },
  { name: "the method must match", run: () => route("PUT", "/users/7"), expected: null },
  { name: "a query string is ignored", run: () => route("POST", "/users?x=1").template, expected: "/users" },
  { name: "a decorator without status_code", run: () => statusOf(route("GET", "/users/1")), expected: { code: null, text: null } },
  { name: "a number as written", run: () => statusOf(route("POST", "/users")), expected: { code: 201, text: "201" } },
  { name: "a status constant", run: () => statusOf(route("DELETE", "/users/1")), expected: { code: 204, text: "status.HTTP_204_NO_CONTENT" } },
  {
    name: "adding status_code uses the status module when it is imported",
    run: () => apply(code, statusChange(code, route("GET", "/users/1"), { code: 404, constant: "HTTP_404_NOT_FOUND" })).split("\n")[3],
    expected: '@app.get("/users/{user_id}", response_model=UserOut, status_code=status.HTTP_404_NOT_FOUND)',
  },
  {
    name: "changing a number keeps its place",
    run: () => apply(code, statusChange(code, route("POST", "/users"), { code: 202, constant: "HTTP_202_ACCEPTED" })).split("\n")[6],
    expected: '@app.post("/users", status_code=status.HTTP_202_ACCEPTED)',
  },
  {
    name: "removing status_code takes its comma too",
    run: () => apply(code, statusChange(code, route("POST", "/users"), null)).split("\n")[6],
    expected: '@app.post("/users")',
  },
  { name: "removing what is not there changes nothing", run: () => statusChange(code, route("GET", "/users/1"), null), expected: null },
];
