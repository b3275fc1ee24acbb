/* Shu-Talas Atlas: the What-if panel of a land-suitability map (MIT).
 *
 * Recomputes the score and the FAO classes in the browser from the quantised memberships the
 * build embedded, with the arithmetic of geo.models.mcda.quantised_score: x = q / quantum,
 * S = ((w1*x1 + w2*x2) + ...) in IEEE float64, criteria in the recipe's order (OWA: weights
 * u_j*v_rank, ranks by ascending factor, ties by criterion order), 0 where a constraint
 * excludes the cell, classes by S >= break. The weights are normalised as the build does
 * (geo.models.mcda.normalised: summed left to right), so the recipe it writes builds into the
 * same classes. AHP weights and CR follow geo.models.ahp (power iteration, same operations).
 *
 * Every string is put on screen with textContent; nothing from the data is run as code.
 */
function atlasWhatIf(map, D) {
  'use strict';
  var U = D.ui;
  var K = D.criteria.length, N = D.rows * D.cols, Q = D.quantum, NF = D.no_factor;
  var SAATY = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9];

  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (txt !== undefined && txt !== null) { e.textContent = txt; }
    return e;
  }
  function fmt(v, d) {
    var s = Math.abs(v).toFixed(d), parts = s.split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
    return (v < 0 && Number(s) !== 0 ? '\u2212' : '') + parts.join('.');
  }
  function sum(a) { var t = 0; for (var i = 0; i < a.length; i++) { t += a[i]; } return t; }
  function normalised(a) { var t = sum(a); return a.map(function (v) { return v / t; }); }

  // ------------------------------------------------------------------ data
  function bytes(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }
  function inflate(s) {
    var stream = new Blob([bytes(s)]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer();
  }
  function undelta16(a, rows, cols) {  // rows of cells minus their left neighbour, modulo 2^16
    for (var r = 0; r < rows; r++) {
      var o = r * cols;
      for (var c = 1; c < cols; c++) { a[o + c] = (a[o + c - 1] + a[o + c]) & 0xffff; }
    }
    return a;
  }
  function undelta32(a, rows, cols) {
    for (var r = 0; r < rows; r++) {
      var o = r * cols;
      for (var c = 1; c < cols; c++) { a[o + c] = (a[o + c - 1] + a[o + c]) | 0; }
    }
    return a;
  }

  // ------------------------------------------------------------------ the model
  var F = [], MASKS = [], IDX = null, ZC = null, ZV = null, ZOFF = [];
  var recipeW = D.criteria.map(function (c) { return c.weight; });
  var S = initial();
  var draft = null;     // an edited matrix the build would refuse (shown, not used)
  var base = null;      // the recipe's classes
  var current = null;   // the classes shown
  var allowedKey = null, allowed = null;

  function initial() {
    return {
      mode: 'recipe',
      raw: recipeW.slice(),
      matrix: D.ahp ? D.ahp.matrix.map(function (r) { return r.slice(); }) : null,
      order: D.order_weights ? D.order_weights.slice() : null,
      orderChanged: false,
      on: D.constraints.map(function () { return true; })
    };
  }

  function ahp(A) {  // geo.models.ahp.ahp_weights: power iteration, the same float64 operations
    var n = A.length, w = [], i, j, it;
    for (i = 0; i < n; i++) { w.push(1 / n); }
    for (it = 0; it < 1000; it++) {
      var y = [];
      for (i = 0; i < n; i++) { var t = 0; for (j = 0; j < n; j++) { t += A[i][j] * w[j]; } y.push(t); }
      var s = sum(y), diff = 0;
      for (i = 0; i < n; i++) { y[i] = y[i] / s; diff = Math.max(diff, Math.abs(y[i] - w[i])); }
      w = y;
      if (diff <= 1e-15) { break; }
    }
    var lam = 0;
    for (i = 0; i < n; i++) { var u = 0; for (j = 0; j < n; j++) { u += A[i][j] * w[j]; } lam += u / w[i]; }
    lam = lam / n;
    var ci = n > 1 ? (lam - n) / (n - 1) : 0;
    if (Math.abs(ci) < 1e-12) { ci = Math.max(ci, 0); }
    var ri = D.ahp.ri[n - 1] || 0;
    var cr = ri > 0 ? ci / ri : 0;
    if (Math.abs(cr) < 1e-12) { cr = 0; }
    return { weights: w, cr: cr, lambda: lam };
  }

  function weights() {
    if (S.mode === 'recipe') { return recipeW.slice(); }
    if (S.mode === 'ahp') { return normalised(ahp(S.matrix).weights); }
    return normalised(normalised(S.raw));
  }

  function allowedMask() {
    var key = S.on.join(',');
    if (key === allowedKey) { return allowed; }
    var a = new Uint8Array(N).fill(1);
    for (var c = 0; c < MASKS.length; c++) {
      if (!S.on[c]) { continue; }
      var m = MASKS[c];
      for (var i = 0; i < N; i++) { if (m[i]) { a[i] = 0; } }
    }
    allowedKey = key; allowed = a;
    return a;
  }

  function classes() {
    var w = weights(), v = S.order ? normalised(S.order) : null, ok = allowedMask();
    var b0 = D.breaks[0], b1 = D.breaks[1], b2 = D.breaks[2];
    var out = new Uint8Array(N), i, j, s;
    if (!v) {
      var luts = w.map(function (wj) {
        var t = new Float64Array(Q + 1);
        for (var q = 0; q <= Q; q++) { t[q] = wj * (q / Q); }
        return t;
      });
      for (i = 0; i < N; i++) {
        var q0 = F[0][i];
        if (q0 === NF) { continue; }
        s = luts[0][q0];
        for (j = 1; j < K; j++) {
          var qj = F[j][i];
          if (qj === NF) { break; }
          s = s + luts[j][qj];
        }
        if (j < K) { continue; }
        if (!ok[i]) { s = 0; }
        out[i] = 4 - ((s >= b0) + (s >= b1) + (s >= b2));
      }
      return out;
    }
    var qs = new Array(K);
    for (i = 0; i < N; i++) {
      var miss = false;
      for (j = 0; j < K; j++) { qs[j] = F[j][i]; if (qs[j] === NF) { miss = true; } }
      if (miss) { continue; }
      var num = 0, den = 0;
      for (j = 0; j < K; j++) {
        var r = 0;
        for (var m = 0; m < K; m++) { if (qs[m] < qs[j] || (qs[m] === qs[j] && m < j)) { r++; } }
        var uv = w[j] * v[r], x = qs[j] / Q;
        if (j === 0) { num = uv * x; den = uv; } else { num = num + uv * x; den = den + uv; }
      }
      s = den > 0 ? num / den : 0;
      if (!ok[i]) { s = 0; }
      out[i] = 4 - ((s >= b0) + (s >= b1) + (s >= b2));
    }
    return out;
  }

  function zoneAreas(cls) {
    return D.zones.map(function (z, k) {
      var a = [0, 0, 0, 0, 0];
      for (var p = ZOFF[k]; p < ZOFF[k + 1]; p++) { a[cls[ZC[p]]] += ZV[p]; }
      var ha = a.map(function (v) { return v * D.cell_ha; });
      var classified = (a[1] + a[2] + a[3] + a[4]) * D.cell_ha;
      return { ha: ha.slice(1), classified: classified,
        suitable: classified > 0 ? 100 * (ha[1] + ha[2] + ha[3]) / classified : NaN };
    });
  }

  // ------------------------------------------------------------------ the recipe it writes
  function num(v) { return String(v); }
  function judgement(v) {  // a pairwise entry as the recipe writes it: 3, "1/3" or a number
    for (var k = 2; k <= 9; k++) { if (v === 1 / k) { return '"1/' + k + '"'; } }
    return num(v);
  }
  function recipeText() {
    var R = D.recipe, parts = [];
    parts.push('# ' + U.recipe_comment + '\n\n' + R.head);
    if (S.mode === 'recipe') {
      if (R.weights) { parts.push(R.weights); }
    } else if (S.mode === 'ahp') {
      var rows = S.matrix.map(function (r) { return '  [' + r.map(judgement).join(', ') + ']'; });
      parts.push('[weights]\nmethod = "ahp"\nri_table = ' + JSON.stringify(D.ahp.ri_table) + '\nmax_cr = ' +
        num(D.ahp.max_cr) + '\ncriteria = [' + R.names.join(', ') + ']\nmatrix = [\n' + rows.join(',\n') + ',\n]\n');
    } else {
      var vals = R.keys.map(function (k) { return k[0] + ' = ' + num(k[1] < 0 ? 0 : S.raw[k[1]]); });
      parts.push('[weights]\nmethod = "direct"\nvalues = { ' + vals.join(', ') + ' }\n');
    }
    if (S.order && S.orderChanged) {
      parts.push('[aggregation]\nmethod = "owa"\norder_weights = [' + S.order.map(num).join(', ') + ']\n');
    } else if (R.aggregation) {
      parts.push(R.aggregation);
    }
    D.constraints.forEach(function (c, i) { if (S.on[i]) { parts.push(c.toml); } });
    return parts.join('\n');
  }

  // ------------------------------------------------------------------ the permalink
  function fragment() {
    var f = [];
    if (S.mode === 'direct') { f.push('w=' + S.raw.map(num).join(',')); }
    if (S.mode === 'ahp') {
      var up = [];
      for (var i = 0; i < K; i++) { for (var j = i + 1; j < K; j++) { up.push(num(S.matrix[i][j])); } }
      f.push('a=' + up.join(','));
    }
    if (S.order && S.orderChanged) { f.push('o=' + S.order.map(num).join(',')); }
    if (S.on.some(function (v) { return !v; })) { f.push('c=' + S.on.map(function (v) { return v ? 1 : 0; }).join('')); }
    return f.length ? 'whatif;' + f.join(';') : '';
  }
  function numbers(s, n) {
    var a = s.split(',').map(Number);
    return a.length === n && a.every(function (v) { return isFinite(v) && v >= 0; }) ? a : null;
  }
  function fromFragment(h) {
    if (h.indexOf('#whatif;') !== 0) { return; }
    h.slice(8).split(';').forEach(function (kv) {
      var k = kv.slice(0, 2), v = kv.slice(2);
      if (k === 'w=') {
        var w = numbers(v, K);
        if (w && sum(w) > 0) { S.mode = 'direct'; S.raw = w; }
      } else if (k === 'a=' && D.ahp) {
        var up = numbers(v, K * (K - 1) / 2);
        if (up && up.every(function (x) { return x > 0; })) {
          var p = 0;
          for (var i = 0; i < K; i++) { for (var j = i + 1; j < K; j++) { setPair(i, j, up[p++]); } }
          S.mode = 'ahp';
        }
      } else if (k === 'o=' && S.order) {
        var o = numbers(v, S.order.length);
        if (o && sum(o) > 0) { S.order = o; S.orderChanged = true; }
      } else if (k === 'c=' && v.length === D.constraints.length && /^[01]*$/.test(v)) {
        S.on = v.split('').map(function (x) { return x === '1'; });
      }
    });
  }
  function setPair(i, j, v) { S.matrix[i][j] = v; S.matrix[j][i] = 1 / v; }

  // ------------------------------------------------------------------ the panel
  var panel = el('details', 'atlas-panel whatif-panel');
  var summary = el('summary', null, U.title);
  panel.appendChild(summary);
  var body = el('div', 'whatif-body');
  panel.appendChild(body);
  var status = el('div', 'whatif-status', U.loading);
  body.appendChild(status);
  var Ctl = L.Control.extend({
    onAdd: function () {
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    }
  });
  var drawer = document.querySelector('.atlas-drawer');  // a phone: one more section of the drawer
  if (drawer) { drawer.insertBefore(panel, drawer.firstChild); } else { new Ctl({ position: 'topleft' }).addTo(map); }

  if (typeof DecompressionStream === 'undefined') {
    status.textContent = U.unsupported;
    return;
  }

  var canvas = el('canvas', 'atlas-pixelated whatif-canvas');
  canvas.width = D.display.width; canvas.height = D.display.height;
  var ctx = canvas.getContext('2d');
  var image = ctx.createImageData(canvas.width, canvas.height);
  var px = new Uint32Array(image.data.buffer);
  var palette = new Uint32Array(5);
  D.colours.forEach(function (c, i) {
    var r = parseInt(c.slice(1, 3), 16), g = parseInt(c.slice(3, 5), 16), b = parseInt(c.slice(5, 7), 16);
    palette[i + 1] = ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0;
  });
  if (!map.getPane('atlas-whatif')) {  // above the build's class polygons, under the labels
    map.createPane('atlas-whatif').style.zIndex = 415;
    map.getPane('atlas-whatif').style.pointerEvents = 'none';
  }
  var overlay = L.svgOverlay(canvas, D.display.bounds, { pane: 'atlas-whatif', opacity: D.opacity, interactive: false });

  var show = el('input'); show.type = 'checkbox'; show.checked = true;
  var sliders = [], outputs = [], orderSliders = [], orderOutputs = [], switches = [], cells = [];
  var crLine = null, measures = null, download = null, linkBox = null, changedLine = null, tableBody = null;

  function row(parent, label, input, output) {
    var r = el('label', 'whatif-row');
    r.appendChild(el('span', 'whatif-label', label));
    r.appendChild(input);
    if (output) { r.appendChild(output); }
    parent.appendChild(r);
    return r;
  }
  function slider(label) {
    var s = el('input'); s.type = 'range'; s.min = '0'; s.max = '100'; s.step = '0.1';
    s.setAttribute('aria-label', label);
    return s;
  }

  function buildPanel() {
    body.textContent = '';
    body.appendChild(status);
    var showRow = el('label', 'whatif-row whatif-show');
    showRow.appendChild(show); showRow.appendChild(el('span', null, U.show));
    body.appendChild(showRow);
    body.appendChild(el('h4', null, U.weights));
    body.appendChild(el('div', 'whatif-note', U.weights_note));
    D.criteria.forEach(function (c, j) {
      var s = slider(c.title), o = el('output', 'whatif-pct');
      s.dataset.criterion = c.id;
      s.addEventListener('input', function () { moveWeight(j, Number(s.value) / 100); });
      sliders.push(s); outputs.push(o);
      row(body, c.title, s, o);
    });
    if (D.ahp) { buildAhp(); }
    if (S.order) { buildOwa(); }
    if (D.constraints.length) {
      body.appendChild(el('h4', null, U.constraints));
      D.constraints.forEach(function (c, i) {
        var b = el('input'); b.type = 'checkbox'; b.dataset.constraint = c.id;
        b.addEventListener('change', function () { S.on[i] = b.checked; update(); });
        switches.push(b);
        var r = el('label', 'whatif-row whatif-switch');
        r.appendChild(b);
        r.appendChild(el('span', null, c.title + ' (' + c.kind + (c.optional ? ', ' + U.optional : '') + ')'));
        body.appendChild(r);
      });
    }
    var actions = el('div', 'whatif-actions');
    var reset = el('button', 'whatif-reset', U.reset); reset.type = 'button';
    reset.addEventListener('click', function () { S = initial(); draft = null; update(); });
    actions.appendChild(reset);
    if (D.recipe.head) {
      download = el('a', 'whatif-download', U.download);
      download.download = D.recipe.file;
      actions.appendChild(download);
    }
    body.appendChild(actions);
    var link = el('div', 'whatif-link');
    link.appendChild(el('span', null, U.link + ': '));
    linkBox = el('input', 'whatif-url'); linkBox.readOnly = true; linkBox.setAttribute('aria-label', U.link);
    var copy = el('button', null, U.copy); copy.type = 'button';
    copy.addEventListener('click', function () {
      linkBox.select();
      var done = function () { copy.textContent = U.copied; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(linkBox.value).then(done, function () { document.execCommand('copy'); done(); });
      } else { document.execCommand('copy'); done(); }
    });
    link.appendChild(linkBox); link.appendChild(copy);
    body.appendChild(link);
    changedLine = el('div', 'whatif-changed');
    body.appendChild(changedLine);
    if (D.zones.length) {
      body.appendChild(el('h4', null, U.areas));
      var wrap = el('div', 'whatif-table-wrap'), table = el('table', 'whatif-areas');
      var head = el('tr');
      [U.zone].concat(D.classes, [U.suitable]).forEach(function (t) { head.appendChild(el('th', null, t)); });
      var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
      tableBody = el('tbody');
      var kind = null;
      D.zones.forEach(function (z) {
        if (z.kind !== kind) {
          kind = z.kind;
          var g = el('tr', 'whatif-group'), th = el('th', null, U['zone_' + kind] || U.zone_other);
          th.colSpan = 6; g.appendChild(th); tableBody.appendChild(g);
        }
        var tr = el('tr'); tr.dataset.zone = z.id;
        tr.appendChild(el('td', 'whatif-zone', z.name));
        var tds = [];
        for (var c = 0; c < 5; c++) { var td = el('td', 'whatif-num'); tr.appendChild(td); tds.push(td); }
        cells.push(tds);
        tableBody.appendChild(tr);
      });
      table.appendChild(tableBody); wrap.appendChild(table); body.appendChild(wrap);
    }
  }

  function buildAhp() {
    body.appendChild(el('h4', null, U.ahp));
    body.appendChild(el('div', 'whatif-note', U.ahp_note));
    var wrap = el('div', 'whatif-table-wrap'), t = el('table', 'whatif-matrix');
    var head = el('tr'); head.appendChild(el('th'));
    D.criteria.forEach(function (c, j) { var th = el('th', null, String(j + 1)); th.title = c.title; head.appendChild(th); });
    t.appendChild(head);
    D.criteria.forEach(function (c, i) {
      var tr = el('tr'), th = el('th', null, (i + 1) + ' ' + c.title);
      tr.appendChild(th);
      D.criteria.forEach(function (c2, j) {
        var td = el('td');
        if (j > i) {
          var sel = el('select'); sel.dataset.pair = i + ',' + j;
          sel.setAttribute('aria-label', c.title + ' / ' + c2.title);
          SAATY.forEach(function (v, k) { sel.appendChild(el('option', null, saatyText(v))).value = String(k); });
          sel.addEventListener('change', function () {  // a matrix the build refuses is shown, not used
            draft = (draft || S.matrix).map(function (r) { return r.slice(); });
            draft[i][j] = SAATY[Number(sel.value)]; draft[j][i] = 1 / draft[i][j];
            if (ahp(draft).cr <= D.ahp.max_cr) { S.matrix = draft; draft = null; S.mode = 'ahp'; update(); } else { refresh(); }
          });
          td.appendChild(sel);
        } else {
          td.className = 'whatif-recip';
        }
        td.dataset.cell = i + ',' + j;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    wrap.appendChild(t); body.appendChild(wrap);
    crLine = el('div', 'whatif-cr'); body.appendChild(crLine);
  }
  function saatyText(v) { return v >= 1 ? String(Math.round(v)) : '1/' + Math.round(1 / v); }
  function nearestSaaty(v) {
    var best = 0;
    SAATY.forEach(function (s, k) { if (Math.abs(Math.log(s / v)) < Math.abs(Math.log(SAATY[best] / v))) { best = k; } });
    return best;
  }

  function buildOwa() {
    body.appendChild(el('h4', null, U.owa));
    S.order.forEach(function (_, r) {
      var s = slider(U.rank + ' ' + (r + 1)), o = el('output', 'whatif-pct');
      s.dataset.rank = String(r);
      s.addEventListener('input', function () { moveOrder(r, Number(s.value) / 100); });
      orderSliders.push(s); orderOutputs.push(o);
      row(body, U.rank + ' ' + (r + 1), s, o);
    });
    measures = el('div', 'whatif-note'); body.appendChild(measures);
  }

  function rescaled(vals, j, v) {  // vals with entry j set to v and the others scaled to sum 1 - v
    var others = 0, i, out = vals.slice();
    for (i = 0; i < vals.length; i++) { if (i !== j) { others += vals[i]; } }
    for (i = 0; i < vals.length; i++) {
      if (i === j) { out[i] = v; } else { out[i] = others > 0 ? vals[i] * (1 - v) / others : (1 - v) / (vals.length - 1); }
    }
    return out;
  }
  function moveWeight(j, v) {
    if (K < 2) { return; }
    S.raw = rescaled(weights(), j, v);
    S.mode = 'direct';
    update();
  }
  function moveOrder(r, v) {
    if (S.order.length < 2) { return; }
    S.order = rescaled(normalised(S.order), r, v);
    S.orderChanged = true;
    update();
  }

  function owaMeasures(v) {  // geo.models.mcda.owa_measures
    var n = v.length;
    if (n === 1) { return [0.5, 0.5, 1]; }
    var and = 0, dev = 0;
    for (var r = 0; r < n; r++) { and += (n - r - 1) * v[r]; dev += (v[r] - 1 / n) * (v[r] - 1 / n); }
    and = and / (n - 1);
    return [and, 1 - and, 1 - Math.sqrt(n * dev / (n - 1))];
  }

  function refresh() {  // controls from the state
    var w = weights();
    w.forEach(function (v, j) { sliders[j].value = String(100 * v); outputs[j].textContent = fmt(100 * v, 1) + ' %'; });
    if (D.ahp) {
      var A = draft || S.matrix, res = ahp(A), ok = res.cr <= D.ahp.max_cr;
      for (var i = 0; i < K; i++) {
        for (var j = 0; j < K; j++) {
          var td = body.querySelector('td[data-cell="' + i + ',' + j + '"]');
          if (j > i) { td.firstChild.value = String(nearestSaaty(A[i][j])); } else { td.textContent = saatyText(A[i][j]); }
        }
      }
      crLine.textContent = U.cr + ' = ' + res.cr.toFixed(4) + ': ' +
        (ok ? U.cr_ok : U.cr_refused).replace('{max}', fmt(D.ahp.max_cr, 2)) +
        (S.mode === 'direct' && !draft ? ' ' + U.ahp_unused : '');
      crLine.dataset.cr = String(res.cr);
      crLine.classList.toggle('whatif-refused', !ok);
    }
    if (S.order) {
      var v = normalised(S.order);
      v.forEach(function (x, r) { orderSliders[r].value = String(100 * x); orderOutputs[r].textContent = fmt(100 * x, 1) + ' %'; });
      var m = owaMeasures(v);
      measures.textContent = U.andness + ' ' + fmt(m[0], 2) + ' · ' + U.orness + ' ' + fmt(m[1], 2) + ' · ' + U.tradeoff + ' ' + fmt(m[2], 2);
    }
    switches.forEach(function (b, i) { b.checked = S.on[i]; });
  }

  function update() {
    var t0 = performance.now();
    refresh();
    draw(t0);
  }

  function draw(t0) {
    current = classes();
    for (var p = 0; p < px.length; p++) { var c = IDX[p]; px[p] = c < 0 ? 0 : palette[current[c]]; }
    ctx.putImageData(image, 0, 0);
    var changed = 0;
    for (var i = 0; i < N; i++) { if (current[i] !== base[i]) { changed++; } }
    var same = changed === 0 && !fragment();
    status.textContent = same ? U.as_recipe : U.changed;
    status.classList.toggle('whatif-modified', !same);
    changedLine.textContent = U.cells_changed + ': ' + fmt(changed, 0) + ' (' + fmt(changed * D.cell_ha, 1) + ' ' + U.ha + ')';
    if (D.zones.length) {
      zoneAreas(current).forEach(function (a, k) {
        for (var c = 0; c < 4; c++) { cells[k][c].textContent = fmt(a.ha[c], 1); cells[k][c].dataset.ha = String(a.ha[c]); }
        cells[k][4].textContent = isFinite(a.suitable) ? fmt(a.suitable, 1) : '–';
      });
    }
    var f = fragment(), url = location.href.split('#')[0] + (f ? '#' + f : '');
    try { history.replaceState(null, '', f ? '#' + f : location.pathname + location.search); } catch (e) { /* file: pages may refuse */ }
    linkBox.value = url;
    if (download) { download.href = 'data:application/toml;charset=utf-8,' + encodeURIComponent(recipeText()); }
    api.ms = performance.now() - t0;
    api.updates += 1;
  }

  function toggleOverlay() {
    if (panel.open && show.checked) { overlay.addTo(map); } else { overlay.remove(); }
  }
  panel.addEventListener('toggle', toggleOverlay);
  show.addEventListener('change', toggleOverlay);

  var api = { ready: false, ms: 0, updates: 0, state: function () { return S; },
    classes: function () { return Array.from(current); }, recipe: recipeText,
    areas: function () { return zoneAreas(current); } };
  window.__atlasWhatIf = api;

  Promise.all([inflate(D.factors), inflate(D.masks), inflate(D.display.index), inflate(D.zone_cells), inflate(D.zone_cover)])
    .then(function (bufs) {
      var fac = undelta16(new Uint16Array(bufs[0]), K * D.rows, D.cols);
      for (var j = 0; j < K; j++) { F.push(fac.subarray(j * N, (j + 1) * N)); }
      var masks = new Uint8Array(bufs[1]);
      for (var c = 0; c < D.constraints.length; c++) { MASKS.push(masks.subarray(c * N, (c + 1) * N)); }
      IDX = undelta32(new Int32Array(bufs[2]), D.display.height, D.display.width);
      ZC = new Uint32Array(bufs[3]); ZV = new Float64Array(bufs[4]);
      var off = 0; ZOFF.push(0);
      D.zones.forEach(function (z) {
        for (var p = off + 1; p < off + z.n; p++) { ZC[p] = (ZC[p - 1] + ZC[p]) >>> 0; }
        off += z.n; ZOFF.push(off);
      });
      buildPanel();
      base = classes();
      fromFragment(location.hash);
      update();
      api.readyAt = performance.now();
      api.ready = true;
    })
    .catch(function (e) { status.textContent = U.unsupported + ' (' + e + ')'; });
}
