#!/usr/bin/env node
// prepare.mjs — prepares, ONCE, the geometry of the map of France by
// département that the server draws (src/map.c), and writes it as a C
// include committed in the tree (src/map_geo.inc), so the binary carries
// it and never reads the source at run time.
//
//   node tools/map/prepare.mjs [SOURCE.geojson] [OUT.inc]
//   (defaults: ../shared/data/geo/departements-avec-outre-mer.geojson,
//    src/map_geo.inc)
//
// Design notes
// - Source: « Contours des départements français » (101 départements,
//   WGS84, properties code / nom), gregoiredavid/france-geojson, from IGN
//   and INSEE data, Licence Ouverte / Open Licence. The attribution line
//   is written into the output and shown under every map.
// - Projection: metropolitan France (and Corsica, 2A and 2B) in Lambert-93
//   (EPSG:2154: conic conformal, GRS80, standard parallels 44° and 49°,
//   origin 46.5° N 3° E), the official projection of French maps. Each of
//   the five overseas départements (971 Guadeloupe, 972 Martinique,
//   973 Guyane, 974 La Réunion, 976 Mayotte) is projected on its own
//   (equirectangular with the cosine of its mean latitude, fine at that
//   size) and scaled to fit an INSET box, in a column left of the
//   metropolitan map, each box with its name. Scales differ between the
//   insets and the main map (said in the map's description).
// - Simplification: Douglas–Peucker with a tolerance in output units,
//   applied to ARCS rather than rings so that shared borders stay
//   consistent: a vertex is a junction when the set of rings holding the
//   same source coordinate changes at it; each ring is cut at its
//   junctions and every piece is simplified in a canonical direction (the
//   same piece seen from the neighbour is simplified identically).
//   Coordinates are then rounded to integers of the viewBox. Islands
//   smaller than MIN_AREA square units are dropped (never a département's
//   largest piece).
// - Output: for each département its code, name, and the SVG path data
//   ("M x y l dx dy … z", integers, relative moves); the viewBox; the
//   inset boxes. Sorted by code. Plain Node, no dependency.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const SRC = process.argv[2] || path.resolve(root, '..', 'shared', 'data', 'geo', 'departements-avec-outre-mer.geojson');
const OUT = process.argv[3] || path.join(root, 'src', 'map_geo.inc');

const TOL = 0.9;        // Douglas–Peucker tolerance, viewBox units
const MIN_AREA = 3;     // islands below this area (square units) are dropped
const VB_W = 1000, VB_H = 760;
const META = { x0: 200, y0: 8, w: 792, h: 744 };        // box of metropolitan France
const INSETS = ['971', '972', '973', '974', '976'];
const INSET = { x: 6, y0: 8, w: 180, h: 140, gap: 11, label: 22 }; // column of insets

const src = JSON.parse(fs.readFileSync(SRC, 'utf8'));

// ---- projections ----
function lambert93() {
  const a = 6378137, f = 1 / 298.257222101, e = Math.sqrt(2 * f - f * f);
  const rad = (d) => (d * Math.PI) / 180;
  const phi1 = rad(44), phi2 = rad(49), phi0 = rad(46.5), lam0 = rad(3);
  const m = (p) => Math.cos(p) / Math.sqrt(1 - e * e * Math.sin(p) ** 2);
  const t = (p) => Math.tan(Math.PI / 4 - p / 2) / ((1 - e * Math.sin(p)) / (1 + e * Math.sin(p))) ** (e / 2);
  const n = (Math.log(m(phi1)) - Math.log(m(phi2))) / (Math.log(t(phi1)) - Math.log(t(phi2)));
  const F = m(phi1) / (n * t(phi1) ** n);
  const rho0 = a * F * t(phi0) ** n;
  return ([lon, lat]) => {
    const rho = a * F * t(rad(lat)) ** n, th = n * (rad(lon) - lam0);
    return [700000 + rho * Math.sin(th), 6600000 + rho0 - rho * Math.cos(th)]; // y grows northwards
  };
}
function equirect(lat0) {
  const c = Math.cos((lat0 * Math.PI) / 180);
  return ([lon, lat]) => [lon * c * 111320, lat * 110574];
}

// ---- rings of each feature, projected (y flipped later by the fit) ----
const feats = src.features.map((f) => {
  const g = f.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return { code: f.properties.code, name: f.properties.nom, polys };
});
if (feats.length !== 101) throw new Error(`expected 101 départements, got ${feats.length}`);

// ---- fits: source coordinates → viewBox ----
function bbox(pts) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  return { x0, y0, x1, y1 };
}
function fit(project, ptsLonLat, box) {
  const b = bbox(ptsLonLat.map(project));
  const s = Math.min(box.w / (b.x1 - b.x0), box.h / (b.y1 - b.y0));
  const ox = box.x0 + (box.w - (b.x1 - b.x0) * s) / 2, oy = box.y0 + (box.h - (b.y1 - b.y0) * s) / 2;
  return (p) => { const [x, y] = project(p); return [ox + (x - b.x0) * s, oy + (b.y1 - y) * s]; };
}
const allPts = (f) => f.polys.flat(2).length ? f.polys.flat(1).flat(1) : [];
const toVB = new Map();
const metro = feats.filter((f) => !INSETS.includes(f.code));
const metroFit = fit(lambert93(), metro.flatMap(allPts), META);
for (const f of metro) toVB.set(f.code, metroFit);
const insets = [];
INSETS.forEach((code, i) => {
  const f = feats.find((x) => x.code === code);
  const pts = allPts(f);
  const lat0 = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const y = INSET.y0 + i * (INSET.h + INSET.gap);
  const box = { x: INSET.x, y, w: INSET.w, h: INSET.h, code, name: f.name };
  insets.push(box);
  toVB.set(code, fit(equirect(lat0), pts, { x0: box.x + 8, y0: y + INSET.label + 4, w: box.w - 16, h: box.h - INSET.label - 12 }));
});

// ---- topology: which rings hold each source coordinate ----
const key = (p) => p[0] + ',' + p[1];
const rings = []; // { code, poly, hole, pts (source), keys }
for (const f of feats) f.polys.forEach((poly, pi) => poly.forEach((ring, ri) => {
  const pts = ring.slice(0, -1); // open ring
  rings.push({ code: f.code, poly: pi, hole: ri > 0, pts, keys: pts.map(key) });
}));
const holders = new Map();
rings.forEach((r, ri) => { for (const k of r.keys) { let s = holders.get(k); if (!s) holders.set(k, (s = new Set())); s.add(ri); } });
const sig = (k) => [...holders.get(k)].sort((a, b) => a - b).join('|');

// ---- Douglas–Peucker on an open polyline of viewBox points ----
function dp(p, tol) {
  const n = p.length;
  if (n <= 2) return p.slice();
  const keep = new Uint8Array(n); keep[0] = keep[n - 1] = 1;
  const stack = [[0, n - 1]];
  while (stack.length) {
    const [i, j] = stack.pop();
    const [ax, ay] = p[i], [bx, by] = p[j];
    const dx = bx - ax, dy = by - ay, L = Math.hypot(dx, dy);
    let best = -1, bi = -1;
    for (let k = i + 1; k < j; k++) {
      const d = L === 0 ? Math.hypot(p[k][0] - ax, p[k][1] - ay) : Math.abs(dy * (p[k][0] - ax) - dx * (p[k][1] - ay)) / L;
      if (d > best) { best = d; bi = k; }
    }
    if (best > tol) { keep[bi] = 1; stack.push([i, bi], [bi, j]); }
  }
  return p.filter((_, k) => keep[k]);
}
// The same piece simplified the same way from both sides.
function dpCanonical(keys, pts, tol) {
  const n = keys.length;
  let rev = keys[0] > keys[n - 1];
  if (keys[0] === keys[n - 1] && n > 2) rev = keys[1] > keys[n - 2];
  if (!rev) return dp(pts, tol);
  return dp(pts.slice().reverse(), tol).reverse();
}

function simplifyRing(r, proj) {
  const n = r.keys.length;
  const sigs = r.keys.map(sig);
  const junction = [];
  for (let i = 0; i < n; i++) {
    const s = sigs[i];
    if (s !== sigs[(i + n - 1) % n] || s !== sigs[(i + 1) % n]) junction.push(i);
  }
  const vb = r.pts.map(proj);
  if (junction.length === 0) {
    // a ring of its own (coast, island): cut at the farthest point from the first
    let far = 0, fd = -1;
    for (let i = 1; i < n; i++) { const d = Math.hypot(vb[i][0] - vb[0][0], vb[i][1] - vb[0][1]); if (d > fd) { fd = d; far = i; } }
    const a = dp(vb.slice(0, far + 1), TOL), b = dp(vb.slice(far).concat([vb[0]]), TOL);
    return a.concat(b.slice(1, -1));
  }
  const out = [];
  for (let j = 0; j < junction.length; j++) {
    const s = junction[j], e = junction[(j + 1) % junction.length];
    const idx = [];
    for (let i = s; ; i = (i + 1) % n) { idx.push(i); if (i === e && idx.length > 1) break; if (junction.length === 1 && idx.length > n) break; }
    const piece = dpCanonical(idx.map((i) => r.keys[i]), idx.map((i) => vb[i]), TOL);
    out.push(...piece.slice(0, -1));
  }
  return out;
}

const area = (p) => { let a = 0; for (let i = 0; i < p.length; i++) { const [x1, y1] = p[i], [x2, y2] = p[(i + 1) % p.length]; a += x1 * y2 - x2 * y1; } return a / 2; };

const deps = [];
for (const f of feats) {
  const proj = toVB.get(f.code);
  const myRings = rings.filter((r) => r.code === f.code);
  const polys = f.polys.map((_, pi) => myRings.filter((r) => r.poly === pi).map((r) => {
    let q = simplifyRing(r, proj).map(([x, y]) => [Math.round(x), Math.round(y)]);
    q = q.filter((p, i) => i === 0 || p[0] !== q[i - 1][0] || p[1] !== q[i - 1][1]);
    while (q.length > 1 && q[0][0] === q[q.length - 1][0] && q[0][1] === q[q.length - 1][1]) q.pop();
    return q;
  }));
  // the largest outer ring is always kept; smaller islands above MIN_AREA
  const outerArea = polys.map((rs) => (rs[0] && rs[0].length >= 3 ? Math.abs(area(rs[0])) : 0));
  const biggest = outerArea.indexOf(Math.max(...outerArea));
  let d = '';
  polys.forEach((rs, pi) => {
    if (pi !== biggest && outerArea[pi] < MIN_AREA) return;
    rs.forEach((q, ri) => {
      if (q.length < 3 || (ri > 0 && Math.abs(area(q)) < MIN_AREA)) return;
      d += `M${q[0][0]} ${q[0][1]}l`;
      let px = q[0][0], py = q[0][1], first = true;
      for (const [x, y] of q.slice(1)) {
        const dx = x - px, dy = y - py;
        d += (first || dx < 0 ? '' : ' ') + dx + (dy < 0 ? '' : ' ') + dy;
        first = false; px = x; py = y;
      }
      d += 'z';
    });
  });
  if (!d) throw new Error(`département ${f.code}: nothing left after simplification`);
  // label point: centre of the bounding box of the largest piece
  const bb = bbox(polys[biggest][0]);
  deps.push({ code: f.code, name: f.name, d, cx: Math.round((bb.x0 + bb.x1) / 2), cy: Math.round((bb.y0 + bb.y1) / 2) });
}
deps.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

// ---- the Paris zoom: Paris and the petite couronne (75, 92, 93, 94) are
// a few units wide at this scale; the map repeats them, enlarged, in a box
// placed where metropolitan France leaves the first empty corner (no
// point of any metropolitan département inside, with a margin). The
// renderer draws the box with <use> of the same paths (still one <path>
// per département).
const ZOOM_CODES = ['75', '92', '93', '94'];
const ZOOM = { label: 40, margin: 4 }; // label: two lines
const zpts = [];
const metroPts = [];
for (const f of metro) {
  const proj = toVB.get(f.code);
  for (const p of allPts(f)) (ZOOM_CODES.includes(f.code) ? zpts : metroPts).push(proj(p));
}
for (const p of zpts) metroPts.push(p);
const zb = bbox(zpts);
const candidates = [ // the largest first
  { x: META.x0, y: VB_H - 170 - 8, w: 140, h: 170 },   // bottom left (the Bay of Biscay)
  { x: VB_W - 220 - 8, y: 8, w: 220, h: 110 },          // top right (off Belgium, Luxembourg and Germany)
  { x: META.x0, y: 8, w: 220, h: 90 },                  // top left (the Channel)
];
const free = (b) => !metroPts.some(([x, y]) => x >= b.x - ZOOM.margin && x <= b.x + b.w + ZOOM.margin &&
  y >= b.y - ZOOM.margin && y <= b.y + b.h + ZOOM.margin);
const zbox = candidates.find(free);
if (!zbox) throw new Error('no empty corner for the Paris zoom');
ZOOM.w = zbox.w;
ZOOM.h = zbox.h;
const zs = Math.min((ZOOM.w - 16) / (zb.x1 - zb.x0), (ZOOM.h - ZOOM.label - 12) / (zb.y1 - zb.y0));
const ztx = zbox.x + 8 + ((ZOOM.w - 16) - (zb.x1 - zb.x0) * zs) / 2 - zb.x0 * zs;
const zty = zbox.y + ZOOM.label + 4 + ((ZOOM.h - ZOOM.label - 12) - (zb.y1 - zb.y0) * zs) / 2 - zb.y0 * zs;
const r3 = (v) => Math.round(v * 1000) / 1000;

const c = (s) => JSON.stringify(s); // a JSON string of ASCII/UTF-8 text is a valid C string here (no \u escapes below)
for (const d of deps) if (/[\\"\u0000-\u001f]/.test(d.name)) throw new Error('unexpected character in a name');
let out = `/* generated by tools/map/prepare.mjs — do not edit; regenerate with
 *   node tools/map/prepare.mjs
 * Source: « Contours des départements français » (gregoiredavid/france-geojson),
 * from IGN and INSEE data, Licence Ouverte / Open Licence. Lambert-93 for
 * metropolitan France; the five overseas départements in insets (own scales).
 * Douglas–Peucker tolerance ${TOL} unit, shared borders simplified once. */
#define MAP_GEO_VB_W ${VB_W}
#define MAP_GEO_VB_H ${VB_H}
#define MAP_GEO_NDEPS ${deps.length}
#define MAP_GEO_NINSETS ${insets.length}
static const char MAP_GEO_ATTRIBUTION[] = "Fond de carte : contours des départements d’après IGN et INSEE (gregoiredavid/france-geojson), Licence Ouverte";
static const struct map_geo_dep map_geo_deps[MAP_GEO_NDEPS] = {
`;
for (const d of deps) out += `\t{ ${c(d.code)}, ${c(d.name)}, ${d.cx}, ${d.cy},\n\t  ${c(d.d)} },\n`;
out += `};\nstatic const struct map_geo_inset map_geo_insets[MAP_GEO_NINSETS] = {\n`;
for (const b of insets) out += `\t{ ${c(b.code)}, ${c(b.name)}, ${b.x}, ${Math.round(b.y)}, ${b.w}, ${b.h} },\n`;
out += '};\n';
out += `/* the Paris zoom: box, the transform of the repeated paths, the codes */
#define MAP_GEO_ZOOM_X ${zbox.x}
#define MAP_GEO_ZOOM_Y ${zbox.y}
#define MAP_GEO_ZOOM_W ${ZOOM.w}
#define MAP_GEO_ZOOM_H ${ZOOM.h}
#define MAP_GEO_ZOOM_NCODES ${ZOOM_CODES.length}
static const char MAP_GEO_ZOOM_TRANSFORM[] = "matrix(${r3(zs)} 0 0 ${r3(zs)} ${r3(ztx)} ${r3(zty)})";
static const char *const map_geo_zoom_codes[MAP_GEO_ZOOM_NCODES] = { ${ZOOM_CODES.map(c).join(', ')} };
`;
fs.writeFileSync(OUT, out);
const pathBytes = deps.reduce((s, d) => s + d.d.length, 0);
console.log(`${OUT}: ${deps.length} départements, ${insets.length} insets, ${out.length} bytes (${pathBytes} of path data)`);
