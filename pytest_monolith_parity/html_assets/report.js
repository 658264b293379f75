(function () {
  'use strict';
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // -- sorting ------------------------------------------------------------------------
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return null; }
    var raw = cell.getAttribute('data-sort');
    if (raw === null) { raw = cell.textContent.trim(); }
    if (numeric) {
      if (raw === '') { return null; }
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw.toLowerCase();
  }
  function compare(a, b, dir) {
    if (a === null && b === null) { return 0; }
    if (a === null) { return 1; }
    if (b === null) { return -1; }
    return (a < b ? -1 : a > b ? 1 : 0) * dir;
  }
  function sortRows(rows, index, numeric, dir) {
    var keyed = rows.map(function (row, i) { return {row: row, i: i, v: cellValue(row, index, numeric)}; });
    keyed.sort(function (x, y) { return compare(x.v, y.v, dir) || x.i - y.i; });
    return keyed.map(function (k) { return k.row; });
  }
  function sortTable(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.cells, th);
    var numeric = th.getAttribute('data-type') === 'num';
    var current = th.getAttribute('aria-sort');
    var dir;
    if (current === 'ascending') { dir = -1; } else if (current === 'descending') { dir = 1; } else { dir = numeric ? -1 : 1; }
    each(th.parentNode.cells, function (other) { other.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var bodies = Array.prototype.slice.call(table.tBodies);
    bodies.forEach(function (body) {
      var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.classList.contains('group'); });
      sortRows(rows, index, numeric, dir).forEach(function (r) { body.appendChild(r); });
    });
    if (bodies.length > 1) {
      var heads = bodies.map(function (body) { return body.rows[0]; });
      sortRows(heads, index, numeric, dir).forEach(function (head) { table.appendChild(head.parentNode); });
    }
  }
  each(document.querySelectorAll('table.sortable'), function (table) {
    each(table.querySelectorAll('thead th'), function (th) {
      var button = th.querySelector('button.sort');
      if (button) { button.addEventListener('click', function () { sortTable(table, th); }); }
    });
  });

  // -- outcome filter and search: an item shows when its outcome is on AND it matches the search ------
  var boxes = document.querySelectorAll('input.outcome-filter');
  var search = document.getElementById('search');
  var texts = new WeakMap();
  function textOf(el) {
    var text = texts.get(el);
    if (text === undefined) {
      var block = el.classList.contains('item') ? el.parentNode : null;  // an index row: its block's case file
      var prefix = el.hasAttribute('data-nodeid') ? el.getAttribute('data-nodeid') + ' ' :
        (block ? block.getAttribute('data-case-file') + '::' : '');
      text = (prefix + el.textContent).toLowerCase();
      texts.set(el, text);
    }
    return text;
  }
  function terms() {
    var value = search ? search.value.trim().toLowerCase() : '';
    return value ? value.split(/\s+/) : [];
  }
  function matches(el, words) {
    if (!words.length) { return true; }
    var text = textOf(el);
    for (var i = 0; i < words.length; i += 1) { if (text.indexOf(words[i]) < 0) { return false; } }
    return true;
  }
  function apply() {
    var on = {}, all = true;
    each(boxes, function (box) { if (box.checked) { on[box.value] = true; } else { all = false; } });
    if (!boxes.length) { all = true; }
    var words = terms();
    var shown = 0, total = 0;
    each(document.querySelectorAll('details.case[data-outcome], .item[data-outcome]'), function (item) {
      var visible = (all || !!on[item.getAttribute('data-outcome')]) && matches(item, words);
      item.hidden = !visible; total += 1; if (visible) { shown += 1; }
    });
    each(document.querySelectorAll('.module-block'), function (block) {
      block.hidden = block.querySelectorAll('details.case:not([hidden]), .item:not([hidden])').length === 0;
    });
    each(document.querySelectorAll('tr[data-outcomes]'), function (row) {
      var list = row.getAttribute('data-outcomes');
      row.hidden = list === '' ? !all : !(all || list.split('|').some(function (o) { return on[o]; }));
    });
    each(document.querySelectorAll('tbody.package'), function (body) {
      var rows = body.querySelectorAll('tr.row');
      if (rows.length === 0) { body.hidden = !all; return; }
      body.hidden = body.querySelectorAll('tr.row:not([hidden])').length === 0;
    });
    each(document.querySelectorAll('table.list tr[data-outcome]'), function (row) {
      row.hidden = !((all || on[row.getAttribute('data-outcome')]) && matches(row, words));
    });
    each(document.querySelectorAll('tr[data-searchable]:not([data-outcome]):not([data-catalogue])'), function (row) {
      row.hidden = !matches(row, words);
    });
    applyCatalogue(words);
    var filtered = !all || words.length > 0;
    each(document.querySelectorAll('.filter-count'), function (el) {
      el.textContent = filtered ? 'showing ' + shown + ' of ' + total + ' items' : 'showing all ' + total + ' items';
    });
    var count = document.getElementById('search-count');
    if (count) { count.textContent = words.length ? shown + ' of ' + total + ' items match' : ''; }
  }
  var catalogueFilter = document.getElementById('catalogue-filter');
  function applyCatalogue(words) {
    var own = catalogueFilter && catalogueFilter.value.trim() ? catalogueFilter.value.trim().toLowerCase().split(/\s+/) : [];
    var shown = 0, total = 0;
    each(document.querySelectorAll('[data-catalogue-file]'), function (body) {
      var fileText = body.getAttribute('data-catalogue-file').toLowerCase();
      var visible = 0;
      each(body.querySelectorAll('[data-catalogue]'), function (row) {
        var text = textOf(row) + ' ' + fileText;
        var ok = own.every(function (w) { return text.indexOf(w) >= 0; }) &&
          words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !ok; total += 1; if (ok) { shown += 1; visible += 1; }
      });
      body.hidden = visible === 0;
    });
    var count = document.getElementById('catalogue-count');
    if (count) { count.textContent = (own.length || words.length) ? shown + ' of ' + total + ' entries' : ''; }
  }
  each(boxes, function (box) { box.addEventListener('change', apply); });
  var timer = null;
  function later() { if (timer) { clearTimeout(timer); } timer = setTimeout(apply, 120); }
  if (search) { search.addEventListener('input', later); }
  if (catalogueFilter) { catalogueFilter.addEventListener('input', later); }
  each(document.querySelectorAll('button[data-select]'), function (button) {
    button.addEventListener('click', function () {
      var mode = button.getAttribute('data-select');
      each(boxes, function (box) {
        box.checked = mode === 'all' || (mode === 'attention' && box.getAttribute('data-passed') !== '1');
      });
      apply();
    });
  });
  each(document.querySelectorAll('button[data-expand]'), function (button) {
    button.addEventListener('click', function () {
      var open = button.getAttribute('data-expand') === 'open';
      each(document.querySelectorAll('details.case'), function (d) { if (!d.hidden) { d.open = open; } });
    });
  });

  // -- links open their item -------------------------------------------------------------
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    if (target.hidden || (target.closest && target.closest('[hidden]'))) {
      if (search) { search.value = ''; }
      if (catalogueFilter) { catalogueFilter.value = ''; }
      each(boxes, function (box) { box.checked = true; });
      apply();
    }
    if (target.tagName === 'DETAILS') { target.open = true; }
    target.scrollIntoView({block: 'start'});
  }
  window.addEventListener('hashchange', openTarget);
  if (location.hash) { openTarget(); }

  each(document.querySelectorAll('button.copy'), function (button) {
    button.addEventListener('click', function () {
      var code = document.getElementById(button.getAttribute('data-target'));
      if (!code) { return; }
      var text = code.textContent;
      function done() { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); }
      function fallback() {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
        if (ok) { done(); } else { button.textContent = 'Press Ctrl+C'; }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
}());
