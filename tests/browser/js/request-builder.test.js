import { parseQuery, readRequest } from "/static/js/kit/request-builder.js";

export default [
  { name: "an empty query", run: () => parseQuery(""), expected: {} },
  { name: "a leading ? is dropped", run: () => parseQuery("?limit=10"), expected: { limit: "10" } },
  { name: "a repeated key becomes a list", run: () => parseQuery("tag=a&tag=b&tag=c"), expected: { tag: ["a", "b", "c"] } },
  { name: "plus and percent escapes are decoded", run: () => parseQuery("q=science+fiction&x=%2F"), expected: { q: "science fiction", x: "/" } },
  { name: "a bare path", run: () => readRequest({ path: "/books" }), expected: { method: "GET", path: "/books", query: {}, headers: {} } },
  { name: "a path without its slash gets one", run: () => readRequest({ path: "books/1" }).path, expected: "/books/1" },
  { name: "a full URL keeps only the path and query", run: () => readRequest({ path: "http://localhost:8000/books?limit=5#top" }), expected: { method: "GET", path: "/books", query: { limit: "5" }, headers: {} } },
  { name: "a query in the path and in the field are merged", run: () => readRequest({ path: "/b?x=1", query: "y=2" }).query, expected: { x: "1", y: "2" } },
  { name: "the method is upper case", run: () => readRequest({ method: "post", path: "/" }).method, expected: "POST" },
  { name: "a JSON body is parsed", run: () => readRequest({ method: "POST", path: "/", body: '{"title": "Dune"}' }).json_body, expected: { title: "Dune" } },
  {
    name: "broken JSON is sent as it is, as JSON",
    run: () => {
      const { body, headers, json_body } = readRequest({ method: "POST", path: "/", body: '{"title": ' });
      return { body, headers, json_body: json_body === undefined ? "absent" : json_body };
    },
    expected: { body: '{"title":', headers: { "content-type": "application/json" }, json_body: "absent" },
  },
  { name: "an empty path is the root", run: () => readRequest({ path: "  " }).path, expected: "/" },
];
