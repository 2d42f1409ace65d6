/* Helpers shared by the commands: loading with diagnostics, number and time
 * formats. */
#define _DEFAULT_SOURCE /* timegm */
#include "cli.h"

#include <math.h>
#include <time.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_quiet;

const char *cli_scenario_label(const psc_scenario_t *s) {
  return psc_scenario_is_embedded(s) ? "the embedded default scenario" : psc_scenario_path(s);
}

void cli_print_diags(const psc_diags_t *d) {
  for (size_t i = 0; i < psc_diags_count(d); i++) {
    const psc_diag_t *g = psc_diags_get(d, i);
    fprintf(stderr, "%s:%u:%u: %s: %s\n", g->file, g->line, g->column,
            g->severity == PSC_DIAG_ERROR ? "error" : "warning", g->message);
  }
}

/* Code points in the UTF-8 string s. */
static unsigned utf8_chars(const char *s, size_t n) {
  unsigned k = 0;
  for (size_t i = 0; i < n; i++)
    k += ((unsigned char)s[i] & 0xC0) != 0x80;
  return k;
}

int cli_add_set(cli_sets_t *sets, const char *cmd, int argc, char **argv, const char *optarg_) {
  if (sets->n == CLI_MAX_SETS)
    return cli_usage_error(cmd, "at most %d --set options", CLI_MAX_SETS);
  /* the column of the value in "poolscreen CMD ARGS..." as typed */
  unsigned col = utf8_chars("poolscreen ", 11) + 1;
  for (int i = 0; i < argc; i++) {
    size_t len = strlen(argv[i]);
    if (optarg_ >= argv[i] && optarg_ <= argv[i] + len) {
      col += utf8_chars(argv[i], (size_t)(optarg_ - argv[i]));
      break;
    }
    col += utf8_chars(argv[i], len) + 1;
  }
  size_t k = sets->n;
  if (strlen(optarg_) >= sizeof sets->text[k] ||
      psc_override_parse(optarg_, sets->text[k], sizeof sets->text[k], "command line", 1, col,
                         &sets->set[k]))
    return cli_usage_error(cmd, "--set takes SECTION.KEY=VALUE, got '%s'", optarg_);
  sets->n++;
  sets->opt.overrides = sets->set;
  sets->opt.noverrides = sets->n;
  return CLI_OK;
}

int cli_load_scenario(const char *path, psc_scenario_t **out) {
  return cli_load_scenario_with(path, NULL, out);
}

int cli_load_scenario_with(const char *path, cli_sets_t *sets, psc_scenario_t **out) {
  psc_diags_t *d = psc_diags_create();
  if (!d) {
    fprintf(stderr, "poolscreen: %s\n", psc_strerror(PSC_ENOMEM));
    return CLI_FAILURE;
  }
  int rc = psc_scenario_load_with(path, sets ? &sets->opt : NULL, d, out);
  psc_diags_sort(d);
  cli_print_diags(d);
  size_t errors = psc_diags_errors(d);
  psc_diags_free(d);
  if (rc == PSC_EINPUT) {
    fprintf(stderr, "poolscreen: %zu error%s in the scenario; nothing written\n", errors,
            errors == 1 ? "" : "s");
    return CLI_USAGE;
  }
  if (rc) {
    fprintf(stderr, "poolscreen: cannot load the scenario: %s\n", psc_strerror(rc));
    return CLI_FAILURE;
  }
  return CLI_OK;
}

const char *cli_count(char *buf, size_t size, unsigned long long n) {
  char digits[32];
  int len = snprintf(digits, sizeof(digits), "%llu", n);
  size_t o = 0;
  for (int i = 0; i < len && o + 2 < size; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      buf[o++] = ' ';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
  return buf;
}

const char *cli_duration(char *buf, size_t size, double min, int sign) {
  if (!isfinite(min)) {
    snprintf(buf, size, "-");
    return buf;
  }
  long m = lround(fabs(min));
  snprintf(buf, size, "%s%ld:%02ld", min < 0 ? "-" : sign ? "+" : "", m / 60, m % 60);
  return buf;
}

const char *cli_clock(char *buf, size_t size, double min, const char *none) {
  if (!isfinite(min))
    snprintf(buf, size, "%s", none);
  else if (min < 0)
    cli_duration(buf, size, min, 1);
  else {
    buf[0] = 'T';
    cli_duration(buf + 1, size - 1, min, 1);
  }
  return buf;
}

const char *cli_local(char *buf, size_t size, double min, const char *start, const char *none) {
  struct tm tm = {0};
  char tail;
  /* the scenario's start as given, counted on a calendar without time
   * zones (timegm/gmtime: no daylight-saving jumps) */
  if (!isfinite(min) || fabs(min) > 1e8 || !start ||
      sscanf(start, "%4d-%2d-%2d %2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tail) != 5) {
    snprintf(buf, size, "%s", none);
    return buf;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm) + (time_t)lround(min) * 60;
  struct tm out;
  if (!gmtime_r(&t, &out) || !strftime(buf, size, "%m-%d %H:%M", &out))
    snprintf(buf, size, "%s", none);
  return buf;
}

const char *cli_clock_at(char *buf, size_t size, double min, const char *start,
                         const char *none) {
  char at[32];
  cli_clock(buf, size, min, none);
  if (isfinite(min) && *cli_local(at, sizeof at, min, start, "")) {
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, " (%s)", at);
  }
  return buf;
}

/* The failure of an output set: its path and reason when it has them. */
static int output_failed(const char *cmd, const char *outdir, const psc_outset_t *set, int err) {
  const char *why = psc_outset_error(set);
  if (*why)
    fprintf(stderr, "poolscreen %s: cannot write %s; nothing written\n", cmd, why);
  else
    fprintf(stderr, "poolscreen %s: cannot write %s: %s; nothing written\n", cmd, outdir,
            psc_strerror(err));
  return CLI_FAILURE;
}

int cli_open_output(const char *cmd, const char *outdir, psc_outset_t **set) {
  int err = psc_outset_open(outdir, set);
  if (!err)
    return CLI_OK;
  output_failed(cmd, outdir, *set, err);
  psc_outset_free(*set);
  *set = NULL;
  return CLI_FAILURE;
}

int cli_written(const char *cmd, psc_outset_t *set, int err, const char *files) {
  int rc = CLI_OK;
  if (err)
    rc = output_failed(cmd, psc_outset_dir(set), set, err);
  else if (!cli_quiet)
    printf("Written: %s%s%s%s\n", psc_outset_dir(set), *files ? " (" : "", files,
           *files ? ")" : "");
  psc_outset_free(set);
  return rc;
}

/* Columns a code point takes in a terminal: 2 for East Asian wide and
 * full-width ranges, 0 for combining marks, else 1. */
static int cp_width(unsigned cp) {
  if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) || cp == 0xFE0F)
    return 0;
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
      (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

/* Length in bytes of the UTF-8 character at s (1 for an invalid byte) and
 * its code point. */
static int utf8_char(const unsigned char *s, unsigned *cp) {
  int n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3 : (s[0] >> 3) == 30 ? 4 : 0;
  if (n == 0) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = n == 1 ? s[0] : (unsigned)(s[0] & (0x7F >> n));
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    *cp = (*cp << 6) | (s[i] & 0x3F);
  }
  return n;
}

const char *cli_pad(char *buf, size_t size, const char *s, int width) {
  size_t o = 0;
  int cols = 0;
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    unsigned cp;
    int n = utf8_char(p, &cp), w = cp_width(cp);
    if (cols + w > width || o + (size_t)n + 1 > size)
      break;
    memcpy(buf + o, p, (size_t)n);
    o += (size_t)n;
    cols += w;
    p += n;
  }
  while (cols < width && o + 1 < size) {
    buf[o++] = ' ';
    cols++;
  }
  buf[o] = '\0';
  return buf;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "poolscreen %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'poolscreen %s --help'.\n", cmd);
  va_end(ap);
  return CLI_USAGE;
}

uint32_t cli_plan_missed(const psc_plan_t *p) {
  const psc_scenario_t *s = psc_plan_scenario(p);
  const psc_communities_t *cm = psc_scenario_communities(s);
  uint32_t missed = !psc_plan_district(p)->met;
  for (uint32_t i = 0; i < psc_scenario_streets(s)->count; i++)
    missed += !psc_plan_street(p, i)->met;
  for (uint32_t i = 0; i < cm->count; i++)
    missed += cm->key[i] && !psc_plan_community(p, i)->met;
  return missed;
}

uint32_t cli_sim_missed(const psc_sim_t *sim, double min_p) {
  uint32_t missed = 0;
  for (size_t i = 0; i < psc_sim_units(sim); i++)
    missed += psc_sim_unit(sim, i)->p_met < min_p;
  return missed;
}

int cli_parse_probability(const char *text, double *p) {
  char *end;
  double v = strtod(text, &end);
  if (end == text)
    return -1;
  if (*end == '%' && !end[1])
    v /= 100;
  else if (*end)
    return -1;
  if (!(v > 0 && v <= 1))
    return -1;
  *p = v;
  return 0;
}

int cli_fail_on_miss(int fail_on_miss, uint32_t missed, int status) {
  if (status != CLI_OK || !fail_on_miss || !missed)
    return status;
  fprintf(stderr, "poolscreen: %u deadline%s missed (--fail-on-miss: exit status %d)\n", missed,
          missed == 1 ? "" : "s", CLI_MISSED);
  return CLI_MISSED;
}
