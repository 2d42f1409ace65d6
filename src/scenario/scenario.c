/* Loading a scenario: the INI, then each table, then the checks that span
 * tables, then the roster. All problems are collected before giving up. */
#define _POSIX_C_SOURCE 200809L
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The embedded scenario's files are named "embedded:shijingshan/<file>"
 * (cmake/embed.cmake), so diagnostics never name a path that may not exist
 * where the program runs. */
#define DEFAULT_INI "embedded:shijingshan/scenario.ini"

const char *psc_site_kind_name(int kind) {
  static const char *names[] = {"fixed", "community", "temporary", "door_to_door"};
  return kind >= 0 && kind < PSC_SITE_KINDS ? names[kind] : "unknown";
}

int psc_open_minutes(int32_t open_min, int32_t close_min) {
  if (open_min == 0 && close_min == 1440)
    return 1440;
  int m = close_min - open_min;
  return m > 0 ? m : m + 1440;
}

static void free_strv(char **v, uint32_t n) {
  if (!v)
    return;
  for (uint32_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void psc_scenario_free(psc_scenario_t *s) {
  if (!s)
    return;
  psc_communities_t *c = &s->comm;
  free_strv(c->id, c->count);
  free_strv(c->name, c->count);
  free(c->street);
  free(c->population);
  free(c->households);
  free(c->door_to_door);
  free(c->high_risk);
  free(c->key);
  free(c->x_km);
  free(c->y_km);
  free(c->line);
  free(s->comm_cols);
  free_strv(s->streets.name, s->streets.count);
  psc_sites_t *st = &s->sites;
  free_strv(st->id, st->count);
  free(st->street);
  free(st->kind);
  free(st->booths);
  free(st->rate);
  free(st->open_min);
  free(st->close_min);
  free(st->x_km);
  free(st->y_km);
  psc_labs_t *l = &s->labs;
  free_strv(l->id, l->count);
  free_strv(l->name, l->count);
  free(l->instruments);
  free(l->wells);
  free(l->run_minutes);
  free(l->open_min);
  free(l->close_min);
  free(l->x_km);
  free(l->y_km);
  free(s->travel.site);
  free(s->travel.lab);
  free(s->travel.minutes);
  psc_roster_clear(&s->roster);
  free(s->id_pool);
  free(s->res_id_off);
  free(s->hh_id_off);
  free(s->outage_lab);
  free(s->outage_start);
  free(s->outage_end);
  free(s->file_communities);
  free(s->file_sites);
  free(s->file_labs);
  free(s->file_residents);
  free(s->file_travel);
  psc_params_clear(&s->params);
  free(s->path);
  free(s);
}

typedef int (*table_fn)(psc_scenario_t *s, FILE *fp, psc_diags_t *d);

/* File a key's position refers to: the INI, or where an override set it. */
static const char *pos_file(const psc_scenario_t *s, const psc__ini_pos_t *at) {
  return at->file ? at->file : s->path;
}

/* Opens and reads one table named in [tables]; a file that cannot be opened
 * is reported where the INI names it. Returns 0, PSC_EINPUT or PSC_ENOMEM. */
static int load_table(psc_scenario_t *s, const psc__source_t *src, const psc__ini_pos_t *pos,
                      const char *key, char **file, table_fn fn, psc_diags_t *d) {
  const psc_param_info_t *info = psc_param_find("tables", key);
  size_t idx = (size_t)(info - psc_param_info(0));
  const char *rel = *(char **)((char *)&s->params + info->offset);
  if (!rel)
    return info->required ? PSC_EINPUT : 0;
  *file = psc__path_join_dir(s->path, rel);
  if (!*file)
    return PSC_ENOMEM;
  FILE *fp = src->open(src->ctx, *file);
  if (!fp) {
    psc__error(d, pos_file(s, &pos[idx]), pos[idx].line, pos[idx].col,
               "cannot open %s table '%s': %s", key,
               *file, strerror(errno));
    return PSC_EINPUT;
  }
  int rc = fn(s, fp, d);
  fclose(fp);
  return rc;
}

/* [simulation] outages: "LAB START END; ...", lab ids from labs.csv. */
static int parse_outages(psc_scenario_t *s, const psc__ini_pos_t *pos, psc_diags_t *d) {
  const char *text = s->params.sim_outages;
  if (!text || !*text)
    return 0;
  const psc_param_info_t *info = psc_param_find("simulation", "outages");
  const psc__ini_pos_t *at = &pos[info - psc_param_info(0)];
  size_t cap = 1;
  for (const char *c = text; *c; c++)
    cap += *c == ';';
  s->outage_lab = psc__malloc(cap, 4);
  s->outage_start = psc__malloc(cap, 8);
  s->outage_end = psc__malloc(cap, 8);
  char *copy = psc__strdup(text);
  if (!s->outage_lab || !s->outage_start || !s->outage_end || !copy) {
    free(copy);
    return PSC_ENOMEM;
  }
  char *save = NULL;
  for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
    char lab[128];
    double a, b;
    int used = 0;
    while (*item == ' ')
      item++;
    if (!*item)
      continue;
    if (sscanf(item, "%127s %lf %lf %n", lab, &a, &b, &used) != 3 || item[used] || !(a >= 0) ||
        !(b > a)) {
      psc__error(d, pos_file(s, at), at->line, at->col,
                 "outage '%s' is not 'LAB START END' with 0 <= START < END (minutes after T0)",
                 item);
      continue;
    }
    uint32_t l = PSC__NONE;
    for (uint32_t k = 0; k < s->labs.count; k++)
      if (!strcmp(s->labs.id[k], lab))
        l = k;
    if (l == PSC__NONE) {
      psc__error(d, pos_file(s, at), at->line, at->col, "outage names unknown lab '%s'", lab);
      continue;
    }
    s->outage_lab[s->noutages] = l;
    s->outage_start[s->noutages] = a;
    s->outage_end[s->noutages] = b;
    s->noutages++;
  }
  free(copy);
  return 0;
}

/* Checks that span tables: every street with residents can be sampled. */
static void check_streets(psc_scenario_t *s, psc_diags_t *d) {
  uint32_t ns = s->streets.count;
  uint32_t *sites = calloc((size_t)ns * 2 + 1, sizeof(uint32_t));
  if (!sites)
    return;
  for (uint32_t i = 0; i < s->sites.count; i++) {
    uint32_t st = s->sites.street[i];
    if (st != PSC__NONE)
      sites[2 * st + (s->sites.kind[i] == PSC_SITE_DOOR_TO_DOOR)]++;
  }
  uint8_t *told = calloc((size_t)ns * 2 + 1, 1);
  for (uint32_t c = 0; told && c < s->comm.count; c++) {
    uint32_t st = s->comm.street[c];
    if (st == PSC__NONE)
      continue;
    uint32_t walk_in = s->comm.population[c] - s->comm.door_to_door[c];
    if (walk_in > 0 && sites[2 * st] == 0 && !told[2 * st]) {
      psc__error(d, s->file_communities, s->comm.line[c], s->comm_cols[5 * c + 4],
                 "street '%s' has residents but no sampling site in %s", s->streets.name[st],
                 s->file_sites);
      told[2 * st] = 1;
    }
    if (s->comm.door_to_door[c] > 0 && sites[2 * st + 1] == 0 && !told[2 * st + 1]) {
      psc__warning(d, s->file_communities, s->comm.line[c], s->comm_cols[5 * c + 2],
                   "street '%s' has door-to-door residents but no door_to_door team in %s; "
                   "they will be listed as exceptions",
                   s->streets.name[st], s->file_sites);
      told[2 * st + 1] = 1;
    }
  }
  free(told);
  free(sites);
}

static int load(const psc__source_t *src, const char *ini_path,
                const psc_scenario_options_t *opt, psc_diags_t *d, psc_scenario_t **out) {
  *out = NULL;
  psc_scenario_t *s = calloc(1, sizeof(*s));
  psc__ini_pos_t *pos = calloc(psc_param_count(), sizeof(*pos));
  int rc = PSC_ENOMEM;
  if (!s || !pos || !(s->path = psc__strdup(ini_path)) || psc_params_defaults(&s->params))
    goto fail;
  size_t before = psc_diags_errors(d);
  rc = psc__ini_load(src, ini_path, &s->params, pos, opt->lenient, d);
  if (rc == PSC_ENOMEM ||
      psc__apply_param_overrides(&s->params, pos, opt->overrides, opt->noverrides, d))
    goto fail;
  /* design: dorfman or array */
  if (strcmp(s->params.design, "dorfman") && strcmp(s->params.design, "array")) {
    const psc_param_info_t *di = psc_param_find("pooling", "design");
    const psc__ini_pos_t *at = &pos[di - psc_param_info(0)];
    psc__error(d, pos_file(s, at), at->line, at->col, "design '%s' is not dorfman or array",
               s->params.design);
  }
  /* run_start: planned or eager */
  if (strcmp(s->params.run_start, "planned") && strcmp(s->params.run_start, "eager")) {
    const psc_param_info_t *ri = psc_param_find("lab", "run_start");
    const psc__ini_pos_t *at = &pos[ri - psc_param_info(0)];
    psc__error(d, ini_path, at->line, at->col, "run_start '%s' is not planned or eager",
               s->params.run_start);
  }
  s->params.run_start_eager = !strcmp(s->params.run_start, "eager");
  /* pool_size = auto: the optimiser's Dorfman size for the prevalence */
  if (s->params.pool_auto) {
    const psc_param_info_t *ps = psc_param_find("pooling", "pool_size");
    size_t idx = (size_t)(ps - psc_param_info(0));
    if (!(s->params.prevalence > 0)) {
      psc__error(d, pos_file(s, &pos[idx]), pos[idx].line, pos[idx].col,
                 "pool_size = auto needs prevalence in [pooling]");
    } else {
      psc_accuracy_t acc = {{s->params.pool_se, s->params.pool_se, s->params.pool_se},
                            {s->params.pool_sp, s->params.pool_sp, s->params.pool_sp}};
      s->params.pool_size = (int)psc_otc_best_dorfman(s->params.prevalence, &acc, 1, 20);
    }
  }
  int comm_ok = 0, comm_read = 0, sites_read = 0;
  if (s->params.table_communities) {
    rc = load_table(s, src, pos, "communities", &s->file_communities, psc__load_communities, d);
    if (rc == PSC_ENOMEM)
      goto fail;
    comm_ok = rc == 0;
    comm_read = rc == 0 || s->comm.count > 0;
  }
  if (s->params.table_sites) {
    rc = load_table(s, src, pos, "sites", &s->file_sites, psc__load_sites, d);
    if (rc == PSC_ENOMEM)
      goto fail;
    sites_read = rc == 0 || s->sites.count > 0;
  }
  if (s->params.table_labs &&
      load_table(s, src, pos, "labs", &s->file_labs, psc__load_labs, d) == PSC_ENOMEM)
    goto fail;
  if (s->labs.count && parse_outages(s, pos, d) == PSC_ENOMEM)
    goto fail;
  if (s->params.table_travel && s->sites.count && s->labs.count &&
      load_table(s, src, pos, "travel", &s->file_travel, psc__load_travel, d) == PSC_ENOMEM)
    goto fail;
  /* table edits change clean tables only: on broken ones they would report
   * noise; the checks below then see the edited tables */
  if (opt->noverrides && psc_diags_errors(d) == before && comm_read && sites_read &&
      s->labs.count && psc__apply_table_edits(s, opt->overrides, opt->noverrides, d))
    goto fail;
  /* rows that failed a check are kept, so cross-table checks still run on
   * tables with errors; only an unreadable table stops them */
  if (comm_read && sites_read)
    check_streets(s, d);
  /* residents.csv is reconciled against communities.csv, so it needs a
   * clean communities table to say anything true */
  if (s->params.table_residents && comm_ok &&
      load_table(s, src, pos, "residents", &s->file_residents, psc__load_residents, d) ==
          PSC_ENOMEM)
    goto fail;
  if (psc_diags_errors(d) > before) {
    rc = PSC_EINPUT;
    goto fail;
  }
  if (!s->params.table_residents) {
    rc = psc_roster_synthesise(&s->comm, s->params.seed, &s->roster);
    if (rc)
      goto fail;
  }
  free(pos);
  *out = s;
  return 0;
fail:
  free(pos);
  psc_scenario_free(s);
  return rc ? rc : PSC_EINPUT;
}

static const psc_scenario_options_t NO_OPTIONS = {0, NULL, 0};

int psc_scenario_load(const char *ini_path, psc_diags_t *diags, psc_scenario_t **out) {
  if (!ini_path || !diags || !out)
    return PSC_EINVAL;
  return load(&psc__disk_source, ini_path, &NO_OPTIONS, diags, out);
}

int psc_scenario_load_default(psc_diags_t *diags, psc_scenario_t **out) {
  if (!diags || !out)
    return PSC_EINVAL;
  return load(&psc__embedded_source, DEFAULT_INI, &NO_OPTIONS, diags, out);
}

int psc_scenario_load_with(const char *ini_path, const psc_scenario_options_t *opt,
                           psc_diags_t *diags, psc_scenario_t **out) {
  if (!diags || !out || (opt && opt->noverrides && !opt->overrides))
    return PSC_EINVAL;
  return ini_path ? load(&psc__disk_source, ini_path, opt ? opt : &NO_OPTIONS, diags, out)
                  : load(&psc__embedded_source, DEFAULT_INI, opt ? opt : &NO_OPTIONS, diags, out);
}

const char *psc_scenario_default_path(void) { return DEFAULT_INI; }

int psc_scenario_is_embedded(const psc_scenario_t *s) {
  return s && s->path && !strcmp(s->path, DEFAULT_INI);
}

const psc_params_t *psc_scenario_params(const psc_scenario_t *s) { return &s->params; }
const char *psc_scenario_path(const psc_scenario_t *s) { return s->path; }
const psc_communities_t *psc_scenario_communities(const psc_scenario_t *s) { return &s->comm; }
const psc_streets_t *psc_scenario_streets(const psc_scenario_t *s) { return &s->streets; }
const psc_sites_t *psc_scenario_sites(const psc_scenario_t *s) { return &s->sites; }
const psc_labs_t *psc_scenario_labs(const psc_scenario_t *s) { return &s->labs; }
const psc_travel_t *psc_scenario_travel(const psc_scenario_t *s) { return &s->travel; }
const psc_roster_t *psc_scenario_roster(const psc_scenario_t *s) { return &s->roster; }

int psc_scenario_resident_id(const psc_scenario_t *s, uint32_t i, char *buf, size_t size) {
  const psc_roster_t *r = &s->roster;
  if (i >= r->residents)
    return PSC_EINVAL;
  if (!r->synthesised)
    return snprintf(buf, size, "%s", s->id_pool + s->res_id_off[i]);
  uint32_t c = r->hh_community[r->res_household[i]];
  uint32_t first = r->hh_first[r->comm_hh_first[c]];
  return snprintf(buf, size, "%s-%u", s->comm.id[c], i - first + 1);
}

int psc_scenario_household_id(const psc_scenario_t *s, uint32_t h, char *buf, size_t size) {
  const psc_roster_t *r = &s->roster;
  if (h >= r->households)
    return PSC_EINVAL;
  if (!r->synthesised)
    return snprintf(buf, size, "%s", s->id_pool + s->hh_id_off[h]);
  uint32_t c = r->hh_community[h];
  return snprintf(buf, size, "%s-H%u", s->comm.id[c], h - r->comm_hh_first[c] + 1);
}
