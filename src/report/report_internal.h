/* Pieces shared by the report pages (private to the library). */
#ifndef POOLSCREEN_REPORT_INTERNAL_H
#define POOLSCREEN_REPORT_INTERNAL_H

#include "internal.h"

/* Chart.js from Debian's libjs-chart.js, embedded at build time. */
extern const unsigned char psc__chartjs[];
extern const size_t psc__chartjs_len;

/* The page: <head> with the style and Chart.js, a title and subtitle. */
void psc__rep_begin(FILE *f, const char *kind, const char *title, const char *subtitle);
/* The page's script (charts, sortable tables, the self-check) and end. */
void psc__rep_end(FILE *f);
/* Text with &, <, >, " escaped. */
void psc__rep_text(FILE *f, const char *s);
/* A JSON string (safe inside <script>: '<' is written as \u003c). */
void psc__rep_json_str(FILE *f, const char *s);
/* A JSON number with up to 4 decimals, null when not finite. */
void psc__rep_json_num(FILE *f, double v);
/* A chart: a canvas of w x h pixels under a heading, and its Chart.js
 * configuration, which the caller writes as JSON between begin and end. */
void psc__rep_chart_begin(FILE *f, const char *id, const char *heading, int w, int h);
void psc__rep_chart_end(FILE *f);
/* A JSON array of n numbers (values[i] * scale). */
void psc__rep_json_nums(FILE *f, const double *v, size_t n, double scale);
/* A JSON array of strings. */
void psc__rep_json_strs(FILE *f, char *const *v, size_t n);
/* An HTML table cell holding a number formatted with fmt (empty when not
 * finite), with data-col=col so that tests can read it back. */
void psc__rep_td_num(FILE *f, const char *col, const char *fmt, double v);
/* Minutes after T0 as "T+H:MM" into buf. */
const char *psc__rep_clock(char *buf, size_t size, double min);

#endif
