/* The frame of every report page: one self-contained HTML file with
 * Chart.js inlined, each chart's configuration embedded as JSON beside its
 * canvas, tables that sort on a click, and a self-check the browser test
 * reads (charts drawn, script errors). */
#include "report/report_internal.h"

#include <math.h>
#include <string.h>

#include "plan/plan_internal.h"

static const char STYLE[] =
    "body{font-family:'Noto Sans CJK SC','Noto Sans',system-ui,sans-serif;margin:24px auto;"
    "max-width:1180px;color:#222;line-height:1.4}"
    "h1{font-size:1.5em;margin-bottom:0}h2{font-size:1.15em;margin-top:2em;border-bottom:1px "
    "solid #ddd}p.sub{color:#555;margin-top:.2em}"
    "table{border-collapse:collapse;font-size:.85em;margin:.5em 0}"
    "th,td{border:1px solid #ddd;padding:3px 6px;text-align:right}"
    "th{background:#f3f3f3;cursor:pointer}td.t,th.t{text-align:left}"
    ".miss{color:#b00;font-weight:bold}.met{color:#070}"
    ".facts{display:flex;flex-wrap:wrap;gap:12px}"
    ".fact{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:150px}"
    ".fact b{display:block;font-size:1.3em}"
    "canvas{border:1px solid #eee;margin:.3em 0}"
    "#psc-selftest{color:#999;font-size:.7em}";

/* Draws dashed vertical lines (deadlines) at options.plugins.vlines.lines;
 * renders every chart; makes tables sortable; records what it drew. */
static const char SCRIPT[] =
    "(function(){\n"
    "var errors=[];\n"
    "window.addEventListener('error',function(e){errors.push(String(e.message));});\n"
    "var ce=console.error;console.error=function(){errors.push(Array.prototype.join.call("
    "arguments,' '));ce.apply(console,arguments);};\n"
    "Chart.register({id:'vlines',afterDatasetsDraw:function(ch,a,o){\n"
    " var ls=(o&&o.lines)||[],x=ch.scales.x,c=ch.ctx,r=ch.chartArea;\n"
    " ls.forEach(function(l){var px=x.getPixelForValue(l.x);if(px<r.left||px>r.right)return;\n"
    "  c.save();c.strokeStyle=l.color||'#c00';c.fillStyle=l.color||'#c00';c.setLineDash([6,4]);"
    "c.beginPath();c.moveTo(px,r.top);c.lineTo(px,r.bottom);c.stroke();"
    "c.fillText(l.label||'',px+3,r.top+10);c.restore();});}});\n"
    "var charts=document.querySelectorAll('script.psc-chart'),drawn=0;\n"
    "charts.forEach(function(s){try{\n"
    " var cfg=JSON.parse(s.textContent),el=document.getElementById(s.dataset.canvas);\n"
    " cfg.options=cfg.options||{};cfg.options.animation=false;cfg.options.responsive=false;\n"
    " cfg.options.plugins=cfg.options.plugins||{};\n"
    " cfg.options.plugins.tooltip={callbacks:{label:function(c){var r=c.raw;\n"
    "  return (r&&r.name?r.name+': ':c.dataset.label+': ')+c.formattedValue;}}};\n"
    " var ch=new Chart(el,cfg),els=0;\n"
    " cfg.data.datasets.forEach(function(d,i){els+=ch.getDatasetMeta(i).data.length;});\n"
    " var px=el.getContext('2d').getImageData(0,0,el.width,el.height).data,ink=0;\n"
    " for(var i=3;i<px.length;i+=4)if(px[i])ink++;\n"
    " if(els>0&&ink>0){drawn++;el.dataset.drawn='1';}\n"
    "}catch(e){errors.push(s.dataset.canvas+': '+e);}});\n"
    "document.querySelectorAll('table.sortable th').forEach(function(th,ci){\n"
    " th.title='click to sort';th.addEventListener('click',function(){\n"
    "  var tb=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(tb.rows),\n"
    "   k=th.cellIndex,asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';\n"
    "  rows.sort(function(a,b){var x=a.cells[k].textContent,y=b.cells[k].textContent,\n"
    "   p=parseFloat(x.replace(/^T\\+/,'')),q=parseFloat(y.replace(/^T\\+/,''));\n"
    "   var r=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return asc?r:-r;});\n"
    "  rows.forEach(function(r){tb.appendChild(r);});});});\n"
    "var st=document.getElementById('psc-selftest');\n"
    "st.textContent='charts='+charts.length+' drawn='+drawn+' errors='+errors.length+"
    "(errors.length?' '+errors.join(' | '):'');\n"
    "})();\n";

void psc__rep_text(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      fputc(*s, f);
    }
  }
}

void psc__rep_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\')
      fprintf(f, "\\%c", ch);
    else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
      fprintf(f, "\\u%04x", ch);
    else
      fputc(ch, f);
  }
  fputc('"', f);
}

void psc__rep_json_num(FILE *f, double v) {
  if (!isfinite(v)) {
    fputs("null", f);
    return;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%.4f", v);
  /* trailing zeros off, so the JSON stays small */
  char *e = buf + strlen(buf);
  while (e > buf && e[-1] == '0')
    *--e = '\0';
  if (e > buf && e[-1] == '.')
    *--e = '\0';
  fputs(strcmp(buf, "-0") ? buf : "0", f);
}

void psc__rep_json_nums(FILE *f, const double *v, size_t n, double scale) {
  fputc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputc(',', f);
    psc__rep_json_num(f, v[i] * scale);
  }
  fputc(']', f);
}

void psc__rep_json_strs(FILE *f, char *const *v, size_t n) {
  fputc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i)
      fputc(',', f);
    psc__rep_json_str(f, v[i]);
  }
  fputc(']', f);
}

void psc__rep_chart_begin(FILE *f, const char *id, const char *heading, int w, int h) {
  fputs("<h3>", f);
  psc__rep_text(f, heading);
  fprintf(f, "</h3>\n<canvas id=\"%s\" width=\"%d\" height=\"%d\"></canvas>\n", id, w, h);
  fprintf(f, "<script type=\"application/json\" class=\"psc-chart\" data-canvas=\"%s\">", id);
}

void psc__rep_chart_end(FILE *f) { fputs("</script>\n", f); }

void psc__rep_td_num(FILE *f, const char *col, const char *fmt, double v) {
  fprintf(f, "<td data-col=\"%s\">", col);
  if (isfinite(v))
    fprintf(f, fmt, v);
  fputs("</td>", f);
}

const char *psc__rep_clock(char *buf, size_t size, double min) {
  if (!isfinite(min)) {
    snprintf(buf, size, "-");
    return buf;
  }
  long m = lround(fabs(min));
  snprintf(buf, size, "%s%ld:%02ld", min < 0 ? "T-" : "T+", m / 60, m % 60);
  return buf;
}

const char *psc__bottleneck(const psc_utilisation_t *u, double *util) {
  const char *bn;
  double x;
  if (u->lab >= u->sampling && u->lab >= u->door_to_door) {
    bn = "labs";
    x = u->lab;
  } else if (u->sampling >= u->door_to_door) {
    bn = "sampling";
    x = u->sampling;
  } else {
    bn = "door-to-door";
    x = u->door_to_door;
  }
  if (u->travel > u->wait_lab && u->travel > u->run_and_report) {
    bn = "transport";
    x = NAN;
  }
  if (util)
    *util = x;
  return bn;
}

void psc__rep_begin(FILE *f, const char *kind, const char *title, const char *subtitle) {
  fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
  psc__rep_text(f, title);
  fprintf(f, " - poolscreen %s</title>\n<style>%s</style>\n", kind, STYLE);
  fputs("<!-- Chart.js from Debian's libjs-chart.js (MIT license, header below) -->\n<script>",
        f);
  fwrite(psc__chartjs, 1, psc__chartjs_len, f);
  fputs("</script>\n</head>\n<body>\n<h1>", f);
  psc__rep_text(f, title);
  fputs("</h1>\n<p class=\"sub\">", f);
  psc__rep_text(f, subtitle);
  fprintf(f, " &middot; poolscreen %s %s</p>\n", psc_version(), kind);
}

void psc__rep_end(FILE *f) {
  fprintf(f, "<p id=\"psc-selftest\"></p>\n<script>%s</script>\n</body>\n</html>\n", SCRIPT);
}

/* ---- the output sets with report.html --------------------------------- */

static int plan_page(const void *ctx, FILE *f) {
  return psc_report_plan(((const psc__plan_out_t *)ctx)->p, f);
}

static int sim_page(const void *ctx, FILE *f) { return psc_report_sim(ctx, f); }

int psc_report_write_plan(const psc_plan_t *p, const char *outdir, int with_csv, int threads) {
  const psc__out_file_t page = {"report.html", plan_page, NULL};
  return psc__plan_write_with(p, outdir, with_csv, threads, &page);
}

int psc_report_write_sim(const psc_sim_t *sim, const char *outdir) {
  const psc__out_file_t page = {"report.html", sim_page, NULL};
  return psc__sim_write_with(sim, outdir, &page);
}

int psc_report_write_plan_to(const psc_plan_t *p, psc_outset_t *set, int with_csv, int threads) {
  const psc__out_file_t page = {"report.html", plan_page, NULL};
  return psc__plan_write_to_with(p, set, with_csv, threads, &page);
}

int psc_report_plan_create_writing(const psc_scenario_t *s, const psc_plan_options_t *opt,
                                   psc_outset_t *set, int with_csv, psc_plan_t **out,
                                   int *write_rc) {
  const psc__out_file_t page = {"report.html", plan_page, NULL};
  return psc__plan_create_writing(s, opt, set, with_csv, &page, out, write_rc);
}

int psc_report_write_sim_to(const psc_sim_t *sim, psc_outset_t *set) {
  const psc__out_file_t page = {"report.html", sim_page, NULL};
  return psc__sim_write_to_with(sim, set, &page);
}
