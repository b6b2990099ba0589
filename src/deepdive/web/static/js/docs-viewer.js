// Renders the OpenAPI document of the learner's app (sent by the run panel) with Swagger UI.
// Requests cannot be sent from here: the app only exists inside the sandbox while it runs.
(function () {
  function render(spec) {
    window.SwaggerUIBundle({
      spec: spec,
      dom_id: "#swagger",
      deepLinking: false,
      supportedSubmitMethods: [],
      defaultModelsExpandDepth: 1,
      docExpansion: "list",
    });
    document.body.dataset.rendered = String(Object.keys(spec.paths || {}).length);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== "openapi") return;
    render(event.data.spec);
  });
  window.parent.postMessage({ type: "docs-viewer-ready" }, window.location.origin);
})();
