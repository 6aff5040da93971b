/* Starts Swagger UI on /docs. It lives in a file of its own because the page's
   Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
    // No badge from validator.swagger.io: the page loads nothing from another server.
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true
  });
})();
