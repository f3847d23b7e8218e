/* The static report's tables in the browser (marketpower.publish.report): a filter box above each table (a row
   stays when its text holds every word typed, case-insensitive), the header sort of the pages' own script, and
   a permalink to the view in the address's fragment, since the report has no server:
     #_table=<table id>&_search=<words>&_sort=<column number>   (or _sort_desc=<column number>; columns from 1)
   Opening such an address (or following the link) restores the view. Without scripts the tables stay plain; the
   file uses no eval and no inline code, so a policy of script-src 'self' allows it. The labels come from the
   script element's data-filter, data-permalink and data-rows attributes (the page's language). */
(function () {
  "use strict";
  var labels = (document.currentScript && document.currentScript.dataset) || {};

  function headerCells(table) {
    return table.tHead.rows[table.tHead.rows.length - 1].cells;
  }

  function bodyRows(table) {
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.push.apply(rows, body.rows);
    });
    return rows;
  }

  function fragment(table) {
    var params = new URLSearchParams();
    params.set("_table", table.id);
    var words = table.filterBox.value.trim();
    if (words) { params.set("_search", words); }
    Array.prototype.forEach.call(headerCells(table), function (th, i) {
      var order = th.getAttribute("aria-sort");
      if (order === "ascending") { params.set("_sort", String(i + 1)); }
      if (order === "descending") { params.set("_sort_desc", String(i + 1)); }
    });
    return "#" + params.toString();
  }

  function update(table, remember) {
    var words = table.filterBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    var rows = bodyRows(table), shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var keep = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    table.filterCount.textContent = shown + " / " + rows.length + " " + (labels.rows || "rows shown");
    var link = fragment(table);
    table.permalink.href = link;
    if (remember && window.location.hash !== link) {
      try { window.history.replaceState(null, "", link); } catch (e) { /* a browser that refuses: the link still holds the view */ }
    }
  }

  function unsort(table) {
    table.pageOrder.forEach(function (row) { row.parentNode.appendChild(row); });
    Array.prototype.forEach.call(headerCells(table), function (th) { th.setAttribute("aria-sort", "none"); });
  }

  function restore() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var table = params.has("_table") ? document.getElementById(params.get("_table")) : null;
    if (!table || !table.filterBox) { return; }
    table.filterBox.value = params.get("_search") || "";
    var descending = params.has("_sort_desc");
    var column = parseInt(params.get(descending ? "_sort_desc" : "_sort"), 10);
    var th = column > 0 ? headerCells(table)[column - 1] : null;
    var wanted = descending ? "descending" : "ascending";
    if (!th) {
      unsort(table);
    } else if (th.getAttribute("aria-sort") !== wanted) {
      if (th.getAttribute("aria-sort") !== "ascending" && descending) { th.click(); }  // none -> ascending
      th.click();  // -> the order asked for
    }
    update(table, false);
    table.scrollIntoView();
  }

  var count = 0;
  Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
    if (!table.tHead || !table.tHead.rows.length || !table.tBodies.length) { return; }
    count += 1;
    if (!table.id) { table.id = "table-" + count; }
    table.pageOrder = bodyRows(table);
    var bar = document.createElement("div");
    bar.className = "table-filter";
    var box = document.createElement("input");
    box.type = "search";
    box.maxLength = 100;
    box.placeholder = labels.filter || "Filter rows";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", table.id);
    var counter = document.createElement("span");
    counter.className = "count";
    counter.setAttribute("aria-live", "polite");
    var link = document.createElement("a");
    link.className = "permalink";
    link.textContent = labels.permalink || "Permalink to this view";
    bar.appendChild(box);
    bar.appendChild(counter);
    bar.appendChild(link);
    table.parentNode.insertBefore(bar, table);
    table.filterBox = box;
    table.filterCount = counter;
    table.permalink = link;
    box.addEventListener("input", function () { update(table, true); });
    Array.prototype.forEach.call(headerCells(table), function (th) {
      // after the pages' sort handler (added before this file runs): the new order goes into the permalink
      th.addEventListener("click", function () { update(table, true); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { update(table, true); } });
    });
    update(table, false);
  });
  window.addEventListener("hashchange", restore);
  restore();
})();
