// The dashboard's charts (templates/complaints/dashboard/unit.html; the public page's trend too), drawn with Apache ECharts from the
// page's "dashboard-charts" data. A click on a bar, a slice or a month opens the list of cases behind it.
// Each chart's numbers are also in a table next to it, for screen readers and without JavaScript.
(function () {
  "use strict";

  function column(rows, index) {
    return rows.map(function (row) { return row[index]; });
  }

  function options(name, data) {
    var narrow = window.matchMedia("(max-width: 575.98px)").matches;
    var grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };
    if (name === "trend") {
      return {
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.names[0], type: "line", data: data.received, smooth: true },
          { name: data.names[1], type: "line", data: data.decided, smooth: true }
        ]
      };
    }
    var labels = column(data.rows, 0);
    var values = column(data.rows, 1);
    if (name === "channel") {
      // On a phone the names go to a legend below the ring: labels around it would run off the screen.
      return {
        tooltip: { trigger: "item", renderMode: "richText" },
        legend: narrow ? { type: "scroll", bottom: 0 } : undefined,
        series: [{
          type: "pie",
          radius: narrow ? ["30%", "58%"] : ["35%", "70%"],
          center: narrow ? ["50%", "42%"] : ["50%", "50%"],
          label: narrow ? { show: false } : { formatter: "{b}: {c}" },
          data: labels.map(function (label, i) { return { name: label, value: values[i] }; })
        }]
      };
    }
    // Status and category: horizontal bars, so that long Chinese names stay readable on a phone.
    return {
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      grid: grid,
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: labels, axisLabel: { width: narrow ? 96 : 160, overflow: "truncate" } },
      series: [{ type: "bar", data: values, label: { show: true, position: "right" } }]
    };
  }

  function draw() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var name = element.getAttribute("data-chart");
      var data = charts[name];
      if (!data) {
        return;
      }
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(options(name, data));
      chart.on("click", function (event) {
        var url = name === "trend" ? data.urls[event.dataIndex] : (data.rows[event.dataIndex] || [])[2];
        if (url) {
          window.location.assign(url);
        }
      });
      element.setAttribute("data-drawn", "true");
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
