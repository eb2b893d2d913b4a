// The results' bar charts: one per ranking group, drawn by ECharts from the JSON the page
// carries (#appraisal-chart-data). Each chart's table below it holds the same figures, so
// without JavaScript, or with a screen reader, nothing is lost.
(function () {
  "use strict";
  var source = document.getElementById("appraisal-chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var groups = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll("[data-appraisal-chart]").forEach(function (box) {
    var group = groups[Number(box.dataset.appraisalChart)];
    if (!group) {
      return;
    }
    // A bar per unit, best at the top, tall enough to read each name on a phone.
    box.style.height = Math.max(160, group.units.length * 32 + 60) + "px";
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      // Drawn on the canvas: an HTML tooltip would carry style attributes the page's policy refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: group.units, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{
        type: "bar",
        data: group.scores,
        label: { show: true, position: "right" },
        itemStyle: { color: "#a4161a" }
      }]
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
