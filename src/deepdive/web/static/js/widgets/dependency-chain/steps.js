// Words for the steps the `resolution` instrument recorded: a short title for the timeline and
// the full story of one step. Nothing here decides anything: it only puts the record into words.
import { element } from "../../kit/dom.js";

function code(text) {
  return element("code", { text });
}

function value(described) {
  if (!described) return document.createTextNode("nothing");
  const span = element("span", { class: "step-value" }, code(described.text));
  if (described.ref) span.append(element("span", { class: "object-ref", text: ` object #${described.ref}` }));
  return span;
}

function exception(raised) {
  return code(raised.text ? `${raised.type}: ${raised.text}` : raised.type);
}

function sentence(...parts) {
  const p = element("p");
  for (const part of parts) p.append(typeof part === "string" ? document.createTextNode(part) : part);
  return p;
}

function wantedBy(step) {
  const wanted = step.for || {};
  const where = wanted.line ? ` (line ${wanted.line})` : "";
  if (!wanted.of) return sentence("Wanted directly by the request.");
  if (!wanted.parameter) {
    return sentence("Declared in ", code("dependencies=[...]"), " for the route of ", code(wanted.of), `${where}: its value is not passed to anything.`);
  }
  return sentence("Wanted by parameter ", code(wanted.parameter), " of ", code(wanted.of), `${where}.`);
}

function argumentList(args) {
  if (!args || !args.length) return sentence("Called with no arguments.");
  const list = element("ul", { class: "step-args" });
  for (const arg of args) list.append(element("li", {}, code(arg.name), document.createTextNode(" = "), value(arg.value)));
  return element("div", {}, element("p", { text: "Called with:" }), list);
}

const RUNS_ON = {
  function: "A plain def: FastAPI ran it in the thread pool.",
  class: "A class: FastAPI called it to build an instance, in the thread pool.",
  "async function": "An async def: FastAPI awaited it on the event loop.",
  generator: "A generator: FastAPI entered it in the thread pool and will resume it for the cleanup.",
  "async generator": "An async generator: FastAPI entered it on the event loop and will resume it for the cleanup.",
};

/** A short title for the timeline. */
export function stepTitle(step) {
  switch (step.type) {
    case "call":
      if (step.raised) return `${step.dependency}() raises ${step.raised.type}`;
      return step.paused_at || step.kind.endsWith("generator")
        ? `${step.dependency}() runs to its yield`
        : `${step.dependency}() runs`;
    case "cache_hit":
      return `${step.dependency}: served from the cache`;
    case "skipped":
      return `${step.dependency}: not called, invalid input`;
    case "invalid":
      return "Parameters invalid: 422";
    case "endpoint":
      return step.raised ? `Endpoint ${step.dependency}() raises ${step.raised.type}` : `Endpoint ${step.dependency}() runs`;
    case "response":
      return `Response ${step.status ?? ""} sent`.trim();
    case "teardown":
      return `${step.dependency}: code after yield runs`;
    default:
      return step.type;
  }
}

/** The badge shown beside a step: what kind of event it was. */
export function stepBadge(step) {
  // A cleanup that lets the request's exception continue is a normal cleanup, not an error.
  if (step.type === "teardown") return step.outcome === "raised" ? "error" : "cleanup";
  if (step.raised || step.type === "invalid" || step.type === "skipped") return "error";
  return { call: "call", cache_hit: "cache", endpoint: "endpoint", response: "response", teardown: "cleanup" }[step.type] || step.type;
}

/** The full story of one step, as DOM nodes. `steps` is the whole trace (to name earlier steps). */
export function describeStep(step, steps) {
  const parts = [element("h4", { class: "step-title", text: `Step ${step.n}: ${stepTitle(step)}` })];
  if (step.type === "call") {
    parts.push(wantedBy(step), argumentList(step.args));
    if (step.raised) parts.push(sentence("It raised ", exception(step.raised), ": nothing after it in the chain runs."));
    else if (step.paused_at) parts.push(sentence("It yielded ", value(step.result), `, then paused at its yield on line ${step.paused_at}. The rest of it runs during cleanup.`));
    else if (step.result) parts.push(sentence("It returned ", value(step.result), "."));
    parts.push(sentence(`Call number ${step.count} of `, code(step.dependency), " in this request. ", RUNS_ON[step.kind] || ""));
    if (step.overrides) parts.push(sentence("It replaces ", code(step.overrides), " through ", code("app.dependency_overrides"), ", so the original was never called."));
    if (step.use_cache === false) parts.push(sentence("This declaration says ", code("use_cache=False"), ", so FastAPI called it even if the cache had a value."));
    if (!step.raised) {
      parts.push(step.stored
        ? sentence("FastAPI stored the value in this request's dependency cache.")
        : sentence("FastAPI did not store this value: the cache already held one for ", code(step.dependency), "."));
    }
  } else if (step.type === "cache_hit") {
    const source = steps.find((s) => s.n === step.from_step);
    parts.push(wantedBy(step));
    parts.push(sentence(code(step.dependency), " was not called. FastAPI read its value from this request's cache",
      source ? ` (stored at step ${source.n})` : "", " and passed on ", value(step.value), "."));
    if (step.value && step.value.ref) parts.push(sentence(`It is the same object #${step.value.ref}, not a copy.`));
  } else if (step.type === "skipped") {
    parts.push(wantedBy(step), sentence("Its own parameters failed validation, so FastAPI did not call it:"), errorList(step.errors));
  } else if (step.type === "invalid") {
    parts.push(sentence("The request's parameters failed validation, after the dependencies above had already run:"), errorList(step.errors),
      sentence("FastAPI raises ", code("RequestValidationError"), ": the client gets a 422 and the endpoint is not called."));
  } else if (step.type === "endpoint") {
    parts.push(argumentList(step.args));
    if (step.raised) parts.push(sentence("It raised ", exception(step.raised), "."));
    else parts.push(sentence("It returned ", value(step.result), "."));
  } else if (step.type === "response") {
    parts.push(sentence(`The last byte of the ${step.status} response has been sent to the client. Anything after this step happens after the client has its answer.`));
  } else if (step.type === "teardown") {
    parts.push(step.thrown
      ? sentence("FastAPI threw ", exception(step.thrown), ` into `, code(step.dependency), step.lines ? ` at its yield (line ${step.lines[0]})` : " at its yield", " so that it can clean up.")
      : sentence(code(step.dependency), " resumed after its yield", step.lines ? ` (line ${step.lines[0]})` : "", ": its cleanup runs now."));
    const outcomes = {
      finished: "It finished normally.",
      "re-raised": "It let the exception continue, so the error handling still sees it.",
      suppressed: "It swallowed the exception: nothing after it learns what went wrong.",
    };
    if (step.outcome === "raised") parts.push(sentence("Its cleanup raised ", exception(step.raised), "."));
    else if (step.outcome) parts.push(sentence(outcomes[step.outcome]));
    parts.push(sentence(`This is the cleanup of step ${step.call_step}.`));
  }
  return parts;
}

function errorList(errors) {
  const list = element("ul", { class: "step-errors" });
  for (const error of errors || []) list.append(element("li", {}, code(error.loc.join(" → ")), document.createTextNode(`: ${error.msg}`)));
  return list;
}

/** Every step of a trace as a plain ordered list (used where stepping is not needed). */
export function listSteps(trace, list) {
  list.replaceChildren(...trace.steps.map((step) => {
    const item = element("li", { "data-step-type": step.type },
      element("span", { class: `step-badge badge-${stepBadge(step)}`, text: stepBadge(step) }),
      document.createTextNode(` ${stepTitle(step)}`));
    const wanted = step.for || {};
    if (wanted.parameter && wanted.of) {
      item.append(document.createTextNode(", for "), code(wanted.parameter), document.createTextNode(" of "), code(wanted.of));
    }
    return item;
  }));
}
