/* Interactive charts, on request.
 *
 * Every chart is already on the page as an SVG drawn at build time. This script only adds, to each
 * <figure class="chart" data-spec="…">, a button; when the reader presses it, Vega, Vega-Lite and
 * vega-embed are loaded from the site's own assets/vendor/ (with Subresource Integrity), the chart's
 * Vega-Lite spec is fetched, and the interactive view replaces the static SVG. If anything fails, the
 * static SVG stays and the reader is told.
 *
 * The pages' Content-Security-Policy allows no eval and no inline style, so vega-embed runs with
 * `ast: true` (its bundled vega-interpreter evaluates expressions without eval) and injects no <style>
 * element: the embed and tooltip styles are in style.css.
 *
 * Labels and integrity values come from data- attributes of this script's own <script> element, which
 * the template fills from the UI strings and the built assets:
 *   data-label-interactive, data-label-loading, data-label-ready, data-label-failed,
 *   data-integrity-vega, data-integrity-vega-lite, data-integrity-vega-embed.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.fetch || !window.Promise || !document.querySelectorAll) {
    return;
  }
  var options = script.dataset;
  var vendor = new URL("vendor/", script.src);
  var LIBRARIES = [
    { file: "vega.min.js", global: "vega", integrity: options.integrityVega },
    { file: "vega-lite.min.js", global: "vegaLite", integrity: options.integrityVegaLite },
    { file: "vega-embed.min.js", global: "vegaEmbed", integrity: options.integrityVegaEmbed }
  ];
  var loading = null;

  function label(name, fallback) {
    return options["label" + name] || (name === "Interactive" && options.label) || fallback;
  }

  function loadScript(library) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = new URL(library.file, vendor).href;
      if (library.integrity) {
        element.integrity = library.integrity;
      }
      // Inserted scripts are async by default; each of these needs the one before it.
      element.async = false;
      element.onload = function () {
        if (window[library.global]) {
          resolve();
        } else {
          reject(new Error(library.file + " did not define " + library.global));
        }
      };
      element.onerror = function () {
        reject(new Error("cannot load " + library.file));
      };
      document.head.appendChild(element);
    });
  }

  // Loaded once per page, in order, the first time any chart asks; a failure may be retried.
  function loadLibraries() {
    if (!loading) {
      loading = Promise.all(LIBRARIES.map(loadScript)).catch(function (error) {
        loading = null;
        throw error;
      });
    }
    return loading;
  }

  function fetchSpec(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error("cannot load " + url + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  function upgrade(figure, image, button, status) {
    var specUrl = new URL(figure.getAttribute("data-spec"), document.baseURI);
    button.disabled = true;
    figure.setAttribute("aria-busy", "true");
    status.textContent = label("Loading", "Loading the interactive chart…");
    var view = document.createElement("div");
    view.className = "chart-view";
    view.hidden = true;
    Promise.all([loadLibraries(), fetchSpec(specUrl.href)])
      .then(function (results) {
        image.appendChild(view);
        return window.vegaEmbed(view, results[1], {
          renderer: "svg",
          actions: false,
          ast: true,
          defaultStyle: false,
          tooltip: { disableDefaultStyle: true, theme: "site" },
          // Data URLs inside a spec are relative to the spec, not to the page.
          loader: { baseURL: new URL(".", specUrl).href, mode: "http" },
          logLevel: 1
        });
      })
      .then(function () {
        // As the static picture was: one image named by the caption. Vega's own roles on the marks
        // inside would otherwise be nameless images; the data table under the chart has every value.
        var labelledBy = image.querySelector("svg[aria-labelledby]");
        view.setAttribute("role", "img");
        if (labelledBy) {
          view.setAttribute("aria-labelledby", labelledBy.getAttribute("aria-labelledby"));
        }
        Array.prototype.forEach.call(view.querySelectorAll("svg, canvas"), function (drawing) {
          drawing.setAttribute("aria-hidden", "true");
        });
        var children = Array.prototype.slice.call(image.children);
        children.forEach(function (child) {
          if (child !== view) {
            image.removeChild(child);
          }
        });
        view.hidden = false;
        figure.classList.add("chart-interactive");
        figure.removeAttribute("aria-busy");
        button.hidden = true;
        status.textContent = label("Ready", "The interactive chart is shown.");
        // The button the reader pressed is gone; keep their place on the chart.
        view.setAttribute("tabindex", "-1");
        view.focus();
      })
      .catch(function (error) {
        if (view.parentNode) {
          view.parentNode.removeChild(view);
        }
        figure.removeAttribute("aria-busy");
        button.disabled = false;
        status.textContent = label("Failed", "The interactive chart could not be loaded; the chart above is the static one.");
        if (window.console) {
          window.console.warn("interactive chart:", error);
        }
      });
  }

  function enhance(figure) {
    var image = figure.querySelector(".chart-image");
    if (!image || figure.querySelector(".chart-controls")) {
      return;
    }
    var controls = document.createElement("div");
    controls.className = "chart-controls";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "chart-button";
    button.textContent = label("Interactive", "Interactive chart");
    var status = document.createElement("span");
    status.className = "chart-status";
    status.setAttribute("role", "status");
    controls.appendChild(button);
    controls.appendChild(status);
    image.parentNode.insertBefore(controls, image.nextSibling);
    button.addEventListener("click", function () {
      upgrade(figure, image, button, status);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("figure.chart[data-spec]"), enhance);
})();
