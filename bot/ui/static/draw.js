// Draws what the server rendered as data: Mermaid charts (pre.mermaid) and Chart.js charts
// (canvas[data-chart], whose numbers are also in the table beside it). No inline script.
"use strict";
(function () {
  if (window.mermaid && document.querySelector("pre.mermaid")) {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
    window.mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
      document.documentElement.dataset.mermaid = "drawn";
    });
  }
  if (window.Chart) {
    window.Chart.defaults.animation = false;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var spec = JSON.parse(canvas.dataset.chart);
      var chart = new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          scales: spec.type === "line" || spec.type === "bar" ? { y: { beginAtZero: true, title: { display: !!spec.unit, text: spec.unit || "" } } } : {},
          plugins: { legend: { display: spec.datasets.length > 1 } }
        }
      });
      canvas.dataset.drawn = String(chart.data.datasets.reduce(function (n, d) { return n + d.data.length; }, 0));
    });
  }
})();
