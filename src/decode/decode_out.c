#define _DEFAULT_SOURCE /* realpath */
/* Decode outputs: the CSV lists and decode.h5 (a copy of the input file with
 * a `decode` or `confirm` group), all renamed into place together. */
#include "decode/decode_internal.h"

#include <hdf5.h>
#include <sys/stat.h>

#include "io/h5_write.h"
#include "io/text_out.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_time(FILE *f, double t) {
  if (isfinite(t))
    fprintf(f, "%.2f", t);
}

static void retest_id(const psc__plan_view_t *v, uint32_t k, char *buf, size_t n) {
  psc__tube_code(v->date_code, v->tag, v->ntubes + 1 + k, buf, n);
}

/* Resident, household, community and street of resident i, whose ids are
 * row k of the names read for a list. */
static void person(FILE *f, const psc__plan_view_t *v, uint32_t i, const psc__strcol_t *rid,
                   const psc__strcol_t *hid, uint32_t k, int street) {
  psc__csv_put_text(f, PSC__STR(*rid, k));
  fputc(',', f);
  psc__csv_put_text(f, PSC__STR(*hid, k));
  fputc(',', f);
  psc__csv_put_text(f, PSC__STR(v->comm_id, psc__res_comm(v, i)));
  if (street) {
    fputc(',', f);
    psc__csv_put_text(f, PSC__STR(v->street_name, v->comm_street[psc__res_comm(v, i)]));
  }
}

/* ---- round 1 ------------------------------------------------------------ */

static void ob_field(psc__ob_t *b, const char *s) { psc__ob_text(b, s, strlen(s)); }

/* Resident, household, community and street of resident i (as person). */
static void ob_person(psc__ob_t *b, const psc__plan_view_t *v, uint32_t i,
                      const psc__strcol_t *rid, const psc__strcol_t *hid, uint32_t k) {
  ob_field(b, PSC__STR(*rid, k));
  psc__ob_putc(b, ',');
  ob_field(b, PSC__STR(*hid, k));
  psc__ob_putc(b, ',');
  ob_field(b, PSC__STR(v->comm_id, psc__res_comm(v, i)));
  psc__ob_putc(b, ',');
  ob_field(b, PSC__STR(v->street_name, v->comm_street[psc__res_comm(v, i)]));
}

/* The round-1 lists have a row per resident under control: formatted in
 * parallel blocks, written in order (the same bytes at any thread count). */
static void control_rows(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  for (uint64_t k = first; k < last; k++) {
    uint32_t i = dc->control_res[k];
    ob_person(b, v, i, &dc->names_res, &dc->names_hh, (uint32_t)k);
    psc__ob_putc(b, ',');
    psc__ob_puts(b, PSC__STR(v->tube_id, v->res_tube[i]));
    psc__ob_puts(b, ",positive_tube\n");
  }
}

static int w_control(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  fputs("resident,household,community,street,tube,reason\n", f);
  return psc__write_rows(f, dc->ncontrol, 16384, control_rows, dc, 0);
}

static void retest_rows(const void *ctx, uint64_t first, uint64_t last, psc__ob_t *b) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  psc__clock_t clk = psc__clock_of(v->start);
  char id[32];
  for (uint64_t k = first; k < last; k++) {
    uint32_t i = dc->control_res[k];
    ob_field(b, PSC__STR(dc->names_res, k));
    psc__ob_putc(b, ',');
    ob_field(b, PSC__STR(v->site_id, dc->rt_team[k]));
    psc__ob_putc(b, ',');
    psc__ob_fixed2(b, dc->rt_start[k]);
    psc__ob_putc(b, ',');
    psc__ob_fixed2(b, dc->rt_end[k]);
    psc__ob_putc(b, ',');
    ob_field(b, PSC__STR(v->lab_id, dc->rt_lab[k]));
    psc__ob_putc(b, ',');
    psc__ob_fixed2(b, dc->rt_result[k]);
    retest_id(v, (uint32_t)k, id, sizeof id);
    psc__ob_putc(b, ',');
    psc__ob_puts(b, id);
    psc__ob_putc(b, ',');
    psc__ob_puts(b, PSC__STR(v->tube_id, v->res_tube[i]));
    psc__ob_putc(b, ',');
    psc__ob_clock(b, &clk, dc->rt_start[k]);
    psc__ob_putc(b, ',');
    psc__ob_clock(b, &clk, dc->rt_end[k]);
    psc__ob_putc(b, ',');
    psc__ob_clock(b, &clk, dc->rt_result[k]);
    psc__ob_putc(b, '\n');
  }
}

static int w_retests(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  fputs("resident,team,window_start_min,window_end_min,lab,result_min,tube,pool_tube,"
        "window_start_at,window_end_at,result_at\n",
        f);
  return psc__write_rows(f, dc->ncontrol, 16384, retest_rows, dc, 0);
}

static int w_rerun1(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("tube,lab,reason\n", f);
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (dc->result[t] == RES_INVALID) {
      fprintf(f, "%s,", PSC__STR(v->tube_id, t));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->tube_lab[t]));
      fputs(",invalid\n", f);
    }
  return 0;
}

static int w_pending1(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("tube,lab\n", f);
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (dc->result[t] == RES_NONE) {
      fprintf(f, "%s,", PSC__STR(v->tube_id, t));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->tube_lab[t]));
      fputc('\n', f);
    }
  return 0;
}

/* ---- round 2 ------------------------------------------------------------ */

static int w_confirmed(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("resident,household,community,street,retest_tube,pool_tube,ct\n", f);
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_POSITIVE) {
      person(f, v, v->rt_res[k], &dc->names_res, &dc->names_hh, k, 1);
      fprintf(f, ",%s,%s,", PSC__STR(v->rt_tube_id, k), PSC__STR(v->tube_id, v->rt_pool_tube[k]));
      put_time(f, dc->ct[k]);
      fputc('\n', f);
    }
  return 0;
}

static int w_released(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("resident,household,community,pool_tube\n", f);
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_NEGATIVE) {
      person(f, v, v->rt_res[k], &dc->names_res, &dc->names_hh, k, 0);
      fprintf(f, ",%s\n", PSC__STR(v->tube_id, v->rt_pool_tube[k]));
    }
  return 0;
}

static int w_households(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  uint8_t *confirmed = calloc(v->nres + 1, 1);
  if (!confirmed)
    return PSC_ENOMEM;
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_POSITIVE)
      confirmed[v->rt_res[k]] = 1;
  fputs("household,community,resident,confirmed\n", f);
  for (uint32_t m = 0; m < dc->nmembers; m++) {
    uint32_t i = dc->members[m];
    psc__csv_put_text(f, PSC__STR(dc->members_hh, m));
    fputc(',', f);
    psc__csv_put_text(f, PSC__STR(v->comm_id, psc__res_comm(v, i)));
    fputc(',', f);
    psc__csv_put_text(f, PSC__STR(dc->members_res, m));
    fprintf(f, ",%d\n", confirmed[i]);
  }
  free(confirmed);
  return 0;
}

static int w_rerun2(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("tube,lab,reason\n", f);
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_INVALID) {
      fprintf(f, "%s,", PSC__STR(v->rt_tube_id, k));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->rt_lab[k]));
      fputs(",invalid_retest\n", f);
    }
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (dc->pool_all_negative[t]) {
      fprintf(f, "%s,", PSC__STR(v->tube_id, t));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->tube_lab[t]));
      fputs(",positive_pool_all_members_negative\n", f);
    }
  /* round 1's invalid pool tubes, still to rerun */
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (v->pool_result[t] == RES_INVALID) {
      fprintf(f, "%s,", PSC__STR(v->tube_id, t));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->tube_lab[t]));
      fputs(",invalid\n", f);
    }
  return 0;
}

static int w_pending2(const void *ctx, FILE *f) {
  const psc_decode_t *dc = ctx;
  const psc__plan_view_t *v = &dc->v;
  fputs("tube,lab\n", f);
  for (uint32_t k = 0; k < v->nretests; k++)
    if (dc->result[k] == RES_NONE) {
      fprintf(f, "%s,", PSC__STR(v->rt_tube_id, k));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->rt_lab[k]));
      fputc('\n', f);
    }
  /* round 1's pool tubes still without a result */
  for (uint32_t t = 0; t < v->ntubes; t++)
    if (v->pool_result[t] == RES_NONE) {
      fprintf(f, "%s,", PSC__STR(v->tube_id, t));
      psc__csv_put_text(f, PSC__STR(v->lab_id, v->tube_lab[t]));
      fputc('\n', f);
    }
  return 0;
}

/* ---- decode.h5 ---------------------------------------------------------- */


/* Text columns as UTF-8 (h5py's .asstr() reads them). */
static int strings(hid_t g, const char *name, char *const *s, uint32_t n) {
  return psc__h5_strings(g, name, s, n);
}

/* Indices of the entries of flags equal to want. */
static uint32_t *select_idx(const uint8_t *flags, uint32_t n, int want, uint32_t *count) {
  uint32_t *idx = psc__malloc(n + 1, 4), m = 0;
  if (idx)
    for (uint32_t i = 0; i < n; i++)
      if (flags[i] == want)
        idx[m++] = i;
  *count = m;
  return idx;
}

/* Dimension scales: the retest tube's id names each retest row; the plan's
 * tube, community and street ids name decode's per-unit arrays when the plan
 * is copied into decode.h5 (a scale cannot live in a linked file). */
static int attach_plan_scales(hid_t f, hid_t retests) {
  int bad = psc__h5_scale_rows(retests, "tube", "retest tube");
  H5L_info_t li;
  if (bad || H5Lget_info(f, "tubes", &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD)
    return bad;
  return psc__h5_attach(f, "/decode/tube_result", 0, f, "/tubes/id", "tube") ||
         psc__h5_attach(f, "/decode/community_complete_min", 0, f, "/communities/id",
                        "community") ||
         psc__h5_attach(f, "/decode/street_complete_min", 0, f, "/streets/name", "street");
}

static int write_groups(const psc_decode_t *dc, hid_t f) {
  const psc__plan_view_t *v = &dc->v;
  int bad = 0;
  uint32_t m;
  if (dc->sum.round == 1) {
    hid_t g = psc__h5_group(f, "decode"), r = psc__h5_group(g, "retests");
    uint32_t n = dc->ncontrol, *pool = psc__malloc(n + 1, 4);
    char **ids = calloc(n + 1, sizeof(char *));
    const size_t w = PSC__TUBE_ID_LEN + 1;
    char *text = calloc((size_t)n * w + 1, 1);
    bad = !pool || !ids || !text;
    for (uint32_t k = 0; !bad && k < n; k++) {
      pool[k] = (uint32_t)v->res_tube[dc->control_res[k]];
      ids[k] = text + (size_t)k * w;
      retest_id(v, k, ids[k], w);
    }
    if (!bad) {
      bad |= psc__h5_put(r, "resident", H5T_NATIVE_UINT32, H5T_STD_U32LE, dc->control_res, n);
      bad |= psc__h5_put(r, "pool_tube", H5T_NATIVE_UINT32, H5T_STD_U32LE, pool, n);
      bad |= strings(r, "tube", ids, n);
      bad |= psc__h5_put(r, "team", H5T_NATIVE_UINT32, H5T_STD_U32LE, dc->rt_team, n);
      bad |= psc__h5_put(r, "lab", H5T_NATIVE_UINT32, H5T_STD_U32LE, dc->rt_lab, n);
      bad |= psc__h5_put(r, "window_start_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dc->rt_start, n);
      bad |= psc__h5_put(r, "window_end_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dc->rt_end, n);
      bad |= psc__h5_put(r, "result_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dc->rt_result, n);
      bad |= psc__h5_put(g, "tube_result", H5T_NATIVE_UINT8, H5T_STD_U8LE, dc->result, v->ntubes);
      bad |= psc__h5_put(g, "community_complete_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dc->comm_after,
                 v->ncomm);
      bad |= psc__h5_put(g, "street_complete_min", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, dc->street_after,
                 v->nstreets);
      bad |= bad || attach_plan_scales(f, r);
    }
    free(pool);
    free(ids);
    free(text);
    H5Gclose(r);
    H5Gclose(g);
  } else {
    hid_t g = psc__h5_group(f, "confirm");
    bad |= psc__h5_put(g, "retest_result", H5T_NATIVE_UINT8, H5T_STD_U8LE, dc->result, v->nretests);
    uint32_t *idx = select_idx(dc->pool_all_negative, v->ntubes, 1, &m);
    bad |= !idx || psc__h5_put(g, "pools_all_negative", H5T_NATIVE_UINT32, H5T_STD_U32LE, idx, m);
    free(idx);
    H5Gclose(g);
  }
  return bad;
}

/* Plans larger than this (bytes; PSC_DECODE_COPY_LIMIT overrides it) are
 * linked, not copied, into decode.h5. */
#define COPY_LIMIT (256ull << 20)

static unsigned long long copy_limit(void) {
  const char *e = getenv("PSC_DECODE_COPY_LIMIT");
  return e && *e ? strtoull(e, NULL, 10) : COPY_LIMIT;
}

/* A new file whose top-level groups are external links to the input's
 * (h5py and pandas follow them), for inputs too large to copy quickly. */
static int link_file(const char *input, const char *tmp) {
  hid_t in = H5Fopen(input, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (in < 0)
    return PSC_EHDF5;
  hid_t out = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  int rc = out < 0 ? PSC_EHDF5 : 0;
  hsize_t n = 0;
  H5G_info_t gi;
  if (!rc && H5Gget_info(in, &gi) >= 0)
    n = gi.nlinks;
  char *abs = realpath(input, NULL);
  for (hsize_t i = 0; !rc && i < n; i++) {
    char name[256];
    if (H5Lget_name_by_idx(in, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                           H5P_DEFAULT) < 0 ||
        H5Lcreate_external(abs ? abs : input, name, out, name, H5P_DEFAULT, H5P_DEFAULT) < 0)
      rc = PSC_EHDF5;
  }
  free(abs);
  /* the root attributes (parameters, seed, version) are copied */
  H5O_info_t oi;
  int nattr = H5Oget_info2(in, &oi, H5O_INFO_NUM_ATTRS) < 0 ? -1 : (int)oi.num_attrs;
  if (nattr < 0)
    rc = PSC_EHDF5;
  for (int a = 0; !rc && a < nattr; a++) {
    hid_t at = H5Aopen_by_idx(in, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)a, H5P_DEFAULT, H5P_DEFAULT);
    char name[256];
    H5Aget_name(at, sizeof name, name);
    hid_t t = H5Aget_type(at), sp = H5Aget_space(at);
    size_t sz = H5Tget_size(t);
    char *buf = calloc(sz + 1, 1);
    hid_t na = buf ? H5Acreate2(out, name, t, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (na < 0 || H5Aread(at, t, buf) < 0 || H5Awrite(na, t, buf) < 0)
      rc = PSC_EHDF5;
    else if (H5Tis_variable_str(t) > 0) /* the string read was allocated by HDF5 */
      H5free_memory(*(char **)buf);
    free(buf);
    H5Aclose(na);
    H5Sclose(sp);
    H5Tclose(t);
    H5Aclose(at);
  }
  if (out >= 0 && H5Fclose(out) < 0)
    rc = PSC_EHDF5;
  H5Fclose(in);
  return rc;
}

/* decode.h5 at exactly this path (the output set handles temporaries). */
static int decode_h5_to(const void *ctx, const char *path) {
  const psc_decode_t *dc = ctx;
  /* a copy of the input (in the kernel where it can), or links to it when
   * it is large; then the new group */
  struct stat st;
  int large = stat(dc->input, &st) == 0 && (unsigned long long)st.st_size > copy_limit();
  psc__h5_quiet_begin();
  int rc = large ? link_file(dc->input, path) : psc__copy_file(dc->input, path);
  if (!rc) {
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0 || write_groups(dc, f))
      rc = PSC_EHDF5;
    if (f >= 0 && H5Fclose(f) < 0)
      rc = PSC_EHDF5;
  }
  psc__h5_quiet_end();
  return rc;
}

/* decode.h5 goes first: it is the largest, and the likeliest to fail. */
int psc__decode_write_set(const psc_decode_t *dc, const char *outdir) {
  if (!dc || !outdir)
    return PSC_EINVAL;
  psc_outset_t *set = NULL;
  int rc = psc_outset_open(outdir, &set);
  if (!rc)
    rc = psc_decode_write_to(dc, set);
  psc_outset_free(set);
  return rc;
}

int psc_decode_write_to(const psc_decode_t *dc, psc_outset_t *set) {
  if (!dc || !set)
    return PSC_EINVAL;
  const psc__out_file_t r1[] = {{"decode.h5", NULL, decode_h5_to},
                                {"control.csv", w_control, NULL},
                                {"retests.csv", w_retests, NULL},
                                {"rerun.csv", w_rerun1, NULL},
                                {"pending.csv", w_pending1, NULL},
                                {"decode_round.txt", psc__w_round_mark, NULL}};
  const psc__out_file_t r2[] = {{"decode.h5", NULL, decode_h5_to},
                                {"confirmed.csv", w_confirmed, NULL},
                                {"released.csv", w_released, NULL},
                                {"households.csv", w_households, NULL},
                                {"rerun.csv", w_rerun2, NULL},
                                {"pending.csv", w_pending2, NULL},
                                {"decode_round.txt", psc__w_round_mark, NULL}};
  const size_t n1 = sizeof r1 / sizeof r1[0], n2 = sizeof r2 / sizeof r2[0];
  return dc->sum.round == 1 ? psc__outset_write(set, r1, n1, n1, dc)
                            : psc__outset_write(set, r2, n2, n2, dc);
}
