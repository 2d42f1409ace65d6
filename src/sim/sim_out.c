/* Simulation outputs: sim.h5 (every replicate) and sim_summary.csv. */
#include "sim/sim_internal.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_write.h"
#include "io/text_out.h"

static int w_summary(const void *ctx, FILE *f) {
  const psc_sim_t *sim = ctx;
  const psc_communities_t *cm = psc_scenario_communities(sim->s);
  const psc_streets_t *sv = psc_scenario_streets(sim->s);
  const psc_params_t *par = psc_scenario_params(sim->s);
  static const char *level[] = {"key_community", "street", "district"};
  psc__clock_t clk = psc__clock_of(par->start);
  fputs("level,id,p_met,p_met_lo,p_met_hi,complete_p50_min,complete_p95_min,name,"
        "complete_p50_at,complete_p95_at\n",
        f);
  for (size_t i = 0; i < sim->nunits; i++) {
    const psc_sim_unit_t *u = &sim->units[i];
    const char *id = u->level == 0 ? cm->id[u->index] : u->level == 1 ? sv->name[u->index] : par->name;
    const char *name = u->level == 0 ? cm->name[u->index] : id;
    fputs(level[u->level], f);
    fputc(',', f);
    psc__csv_put_text(f, id);
    fprintf(f, ",%.4f,%.4f,%.4f,%.2f,%.2f,", u->p_met, u->p_met_lo, u->p_met_hi, u->complete_p50,
            u->complete_p95);
    psc__csv_put_text(f, name);
    psc__ob_t b = {0};
    psc__ob_putc(&b, ',');
    psc__ob_clock(&b, &clk, u->complete_p50);
    psc__ob_putc(&b, ',');
    psc__ob_clock(&b, &clk, u->complete_p95);
    psc__ob_putc(&b, '\n');
    psc__ob_flush(&b, f);
    psc__ob_free(&b);
  }
  return 0;
}


/* A replicates x n matrix whose columns are named by the label dataset
 * /labels/<labels> (attributes `rows`, `columns`, `units`). */
static int matrix(hid_t g, const char *name, const double *data, hsize_t rows, hsize_t cols,
                  const char *labels, const char *units) {
  hsize_t dims[2] = {rows, cols};
  hid_t sp = H5Screate_simple(2, dims, NULL);
  hid_t pl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(pl, 0);
  hid_t d = H5Dcreate2(g, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
  int bad = d < 0 || (rows != 0 && cols != 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                                               H5P_DEFAULT, data) < 0);
  char lab[64];
  snprintf(lab, sizeof lab, "/labels/%s", labels);
  if (!bad)
    bad = psc__h5_attr_str(d, "rows", "replicate") || psc__h5_attr_str(d, "columns", lab) ||
          psc__h5_attr_str(d, "units", units);
  H5Dclose(d);
  H5Pclose(pl);
  H5Sclose(sp);
  return bad;
}

/* Names of a matrix's columns and of the scenario's units, as text. */
static int labels(hid_t f, const psc_sim_t *sim) {
  const psc_communities_t *cm = psc_scenario_communities(sim->s);
  const psc_streets_t *sv = psc_scenario_streets(sim->s);
  const psc_sites_t *st = psc_scenario_sites(sim->s);
  hid_t g = psc__h5_group(f, "labels");
  char **kid = calloc(sim->nkey + 1, sizeof(char *)), **kname = calloc(sim->nkey + 1, sizeof(char *));
  int bad = g < 0 || !kid || !kname;
  for (uint32_t k = 0; !bad && k < sim->nkey; k++) {
    kid[k] = cm->id[sim->key_comm[k]];
    kname[k] = cm->name[sim->key_comm[k]];
  }
  uint32_t *rep = psc__malloc(sim->R + 1, 4);
  bad = bad || !rep;
  for (uint32_t r = 0; !bad && r < sim->R; r++)
    rep[r] = r;
  bad = bad || psc__h5_strings(g, "streets", sv->name, sim->nstreets) ||
        psc__h5_strings(g, "key_communities", kid, sim->nkey) ||
        psc__h5_strings(g, "key_community_names", kname, sim->nkey) ||
        psc__h5_strings(g, "sites", st->id, sim->nsites) ||
        psc__h5_put(g, "replicate", H5T_NATIVE_UINT32, H5T_STD_U32LE, rep, sim->R);
  /* every label a dimension scale (h5py: ds.dims[1][0] names the columns) */
  static const char *const SCALES[][2] = {{"streets", "street"},
                                          {"key_communities", "key community"},
                                          {"key_community_names", "key community name"},
                                          {"sites", "site"},
                                          {"replicate", "replicate"}};
  for (size_t k = 0; !bad && k < sizeof SCALES / sizeof SCALES[0]; k++)
    bad = psc__h5_make_scale(g, SCALES[k][0], SCALES[k][1]);
  free(rep);
  free(kid);
  free(kname);
  H5Gclose(g);
  return bad;
}

/* Rows of every per-replicate dataset named by /labels/replicate, columns of
 * the matrices by their labels, /key_communities by the key communities'
 * ids. */
static int attach_scales(hid_t f) {
  static const char *const PER_REPLICATE[] = {
      "district_complete", "tests_per_person", "isolation_mean", "isolation_p95",
      "lab_utilisation",   "positives",        "found",          "missed",
      "false_positives",   "failed_runs",      "no_shows",       "street_complete",
      "key_complete",      "peak_queue"};
  int bad = 0;
  for (size_t k = 0; !bad && k < sizeof PER_REPLICATE / sizeof PER_REPLICATE[0]; k++) {
    char path[64];
    snprintf(path, sizeof path, "/replicates/%s", PER_REPLICATE[k]);
    bad = psc__h5_attach(f, path, 0, f, "/labels/replicate", "replicate");
  }
  static const char *const COLUMNS[][3] = {
      {"/replicates/street_complete", "/labels/streets", "street"},
      {"/replicates/key_complete", "/labels/key_communities", "key community"},
      {"/replicates/key_complete", "/labels/key_community_names", NULL},
      {"/replicates/peak_queue", "/labels/sites", "site"}};
  for (size_t k = 0; !bad && k < sizeof COLUMNS / sizeof COLUMNS[0]; k++)
    bad = psc__h5_attach(f, COLUMNS[k][0], 1, f, COLUMNS[k][1], COLUMNS[k][2]);
  if (!bad)
    bad = psc__h5_attach(f, "/key_communities", 0, f, "/labels/key_communities",
                         "key community");
  return bad;
}

static int write_h5(const psc_sim_t *sim, const char *path) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0)
    return 1;
  int bad = 0;
  uint32_t R = sim->R;
  double *d = psc__malloc(R + 1, 8);
  uint32_t *u = psc__malloc(R + 1, 4);
  if (!d || !u)
    bad = 1;
  hid_t g = psc__h5_group(f, "replicates");
#define DCOL(field)                                                                        \
  for (uint32_t r = 0; !bad && r < R; r++)                                                 \
    d[r] = sim->rep[r].field;                                                              \
  bad |= bad || psc__h5_put(g, #field, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, d, R);
#define UCOL(field)                                                                        \
  for (uint32_t r = 0; !bad && r < R; r++)                                                 \
    u[r] = sim->rep[r].field;                                                              \
  bad |= bad || psc__h5_put(g, #field, H5T_NATIVE_UINT32, H5T_STD_U32LE, u, R);
  DCOL(district_complete)
  DCOL(tests_per_person)
  DCOL(isolation_mean)
  DCOL(isolation_p95)
  DCOL(lab_utilisation)
  UCOL(positives)
  UCOL(found)
  UCOL(missed)
  UCOL(false_positives)
  UCOL(failed_runs)
  UCOL(no_shows)
#undef DCOL
#undef UCOL
  bad |= matrix(g, "street_complete", sim->street_complete, R, sim->nstreets, "streets",
                "minutes after T0");
  bad |= matrix(g, "key_complete", sim->key_complete, R, sim->nkey, "key_communities",
                "minutes after T0");
  bad |= matrix(g, "peak_queue", sim->queue, R, sim->nsites, "sites", "residents");
  bad |= psc__h5_put(f, "key_communities", H5T_NATIVE_UINT32, H5T_STD_U32LE, sim->key_comm, sim->nkey);
  /* units of the per-replicate columns */
  static const char *const UNITS[][2] = {
      {"district_complete", "minutes after T0"}, {"isolation_mean", "minutes"},
      {"isolation_p95", "minutes"}, {"tests_per_person", "tests per resident"},
      {"lab_utilisation", "fraction"}};
  for (size_t k = 0; !bad && k < sizeof UNITS / sizeof UNITS[0]; k++) {
    hid_t ds = H5Dopen2(g, UNITS[k][0], H5P_DEFAULT);
    bad = ds < 0 || psc__h5_attr_str(ds, "units", UNITS[k][1]);
    H5Dclose(ds);
  }
  H5Gclose(g);
  bad |= labels(f, sim);
  bad |= bad || attach_scales(f);
  const psc_params_t *par = psc_scenario_params(sim->s);
  bad |= psc__h5_attr_str(f, "scenario_name", par->name) || psc__h5_attr_str(f, "start", par->start);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, "seed", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  bad |= a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &sim->seed) < 0;
  H5Aclose(a);
  a = H5Acreate2(f, "replicates", H5T_STD_U32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  bad |= a < 0 || H5Awrite(a, H5T_NATIVE_UINT32, &sim->R) < 0;
  H5Aclose(a);
  const char *ver = psc_version();
  bad |= psc__h5_attr_str(f, "poolscreen_version", ver);
  /* the plan the replicates ran around */
  char ident[32];
  psc_plan_identity(psc_sim_plan(sim), ident, sizeof ident);
  bad |= psc__h5_attr_str(f, "plan_identity", ident);
  H5Sclose(sp);
  free(d);
  free(u);
  if (H5Fclose(f) < 0)
    bad = 1;
  return bad;
}

/* sim.h5 at exactly this path (the output set handles temporaries). */
static int sim_h5_to(const void *ctx, const char *path) {
  psc__h5_quiet_begin();
  int bad = write_h5(ctx, path);
  psc__h5_quiet_end();
  return bad ? PSC_EHDF5 : 0;
}

int psc_sim_write(const psc_sim_t *sim, const char *outdir) {
  return psc__sim_write_with(sim, outdir, NULL);
}

int psc__sim_write_with(const psc_sim_t *sim, const char *outdir, const psc__out_file_t *extra) {
  if (!sim || !outdir)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc__sim_write_to_with(sim, set, extra);
  psc_outset_free(set);
  return rc;
}

int psc_sim_write_to(const psc_sim_t *sim, psc_outset_t *set) {
  return psc__sim_write_to_with(sim, set, NULL);
}

int psc__sim_write_to_with(const psc_sim_t *sim, psc_outset_t *set, const psc__out_file_t *extra) {
  if (!sim || !set)
    return PSC_EINVAL;
  psc__out_file_t files[3] = {{"sim.h5", NULL, sim_h5_to},
                              {"sim_summary.csv", w_summary, NULL},
                              {"report.html", NULL, NULL}};
  if (extra)
    files[2] = *extra;
  return psc__outset_write(set, files, extra ? 3 : 2, 3, sim);
}
