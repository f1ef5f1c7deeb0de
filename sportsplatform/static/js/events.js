// Public event list (events/templates/events/public/list.html): choosing a city reloads the
// filters so the county select offers that city's counties. Without JavaScript the form still
// submits as a plain GET (press 搜索 after choosing the city).
(function () {
  "use strict";
  var form = document.querySelector("[data-ev-filters]");
  if (!form) return;
  var city = form.querySelector("select[name=city]");
  var county = form.querySelector("select[name=county]");
  if (!city || !county) return;
  city.addEventListener("change", function () {
    county.value = "";
    county.disabled = true;
    form.submit();
  });
})();
