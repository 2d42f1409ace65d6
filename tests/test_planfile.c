/* plan.h5 as a contract: written from the one layout table, read back
 * defensively (tampered files are refused with exit 2 naming the file and
 * the dataset), and tied to its plan's identity (another plan's results or
 * a round-1 file whose linked plan was replaced are refused). */
#include "testutil.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/plan_layout.h"

/* A tiny plan (its scenario.ini edited by the sed script edit) written to
 * dir/sub; returns the path of its plan.h5. */
static char *plan_into(const char *dir, const char *sub, const char *edit) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "cp %s/tiny/*.csv %s/ && sed '%s' %s/tiny/scenario.ini > %s/scenario.ini && "
           "%s plan %s/scenario.ini -o %s/%s --no-advice > /dev/null",
           PSC_TEST_DATA, dir, edit, PSC_TEST_DATA, dir, PSC_CLI_PATH, dir, dir, sub);
  assert_int_equal(system(cmd), 0);
  char *h5 = malloc(2048);
  snprintf(h5, 2048, "%s/%s/plan.h5", dir, sub);
  return h5;
}

/* The first tube id of a plan (row 2 of tubes.csv). */
static void first_tube(const char *dir, const char *sub, char *id, size_t n) {
  char path[2048];
  snprintf(path, sizeof path, "%s/%s/tubes.csv", dir, sub);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[512];
  assert_non_null(fgets(line, sizeof line, f));
  assert_non_null(fgets(line, sizeof line, f));
  fclose(f);
  size_t len = strcspn(line, ",");
  assert_true(len < n);
  memcpy(id, line, len);
  id[len] = '\0';
}

static herr_t collect(hid_t o, const char *name, const H5O_info_t *info, void *op) {
  (void)o;
  int *count = op;
  if (info->type != H5O_TYPE_DATASET)
    return 0;
  char group[64] = "";
  const char *slash = strchr(name, '/');
  if (slash)
    snprintf(group, sizeof group, "%.*s", (int)(slash - name), name);
  if (!slash || !psc__layout_find(group, slash + 1)) {
    print_message("dataset %s is not in the layout table\n", name);
    return -1;
  }
  (*count)++;
  return 0;
}

/* Every dataset the writer makes is in the table, and every required entry
 * of the table is in the file. */
static void test_writer_follows_table(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *h5 = plan_into(dir, "p", "");
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  assert_true(f >= 0);
  int count = 0;
  assert_true(H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, collect, &count, H5O_INFO_BASIC) >= 0);
  psc__plan_file_t pf;
  assert_true(PSC__PLAN_LAYOUT_COUNT <= sizeof pf.read);
  int required = 0;
  for (size_t i = 0; i < PSC__PLAN_LAYOUT_COUNT; i++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", PSC__PLAN_LAYOUT[i].group, PSC__PLAN_LAYOUT[i].name);
    /* optional entries count when written (site_labs always is; tube2 with arrays) */
    required += !(PSC__PLAN_LAYOUT[i].flags & PSC__L_OPTIONAL) ||
                (H5Lexists(f, PSC__PLAN_LAYOUT[i].group, H5P_DEFAULT) > 0 &&
                 H5Lexists(f, path, H5P_DEFAULT) > 0);
  }
  assert_int_equal(count, required);
  H5Fclose(f);
  free(h5);
  tu_rmtree(dir);
  free(dir);
}

typedef enum { T_SHORTEN, T_SET_U32, T_SET_F64, T_DROP, T_ATTR } tamper_t;

/* Changes one thing in a copy of a plan file. */
static void tamper(const char *path, const char *dset, tamper_t how, double value) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  assert_true(f >= 0);
  if (how == T_ATTR) {
    H5Adelete(f, "format");
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    H5Tset_size(t, 6);
    hid_t a = H5Acreate2(f, "format", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, "other!");
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
  } else if (how == T_DROP) {
    assert_true(H5Ldelete(f, dset, H5P_DEFAULT) >= 0);
  } else if (how == T_SHORTEN) {
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT), sp = H5Dget_space(d), t = H5Dget_type(d);
    hsize_t n;
    H5Sget_simple_extent_dims(sp, &n, NULL);
    size_t sz = H5Tget_size(t);
    char *buf = malloc(n * sz + 1);
    H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    H5Sclose(sp);
    H5Ldelete(f, dset, H5P_DEFAULT);
    n--;
    sp = H5Screate_simple(1, &n, NULL);
    d = H5Dcreate2(f, dset, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(t);
    free(buf);
  } else {
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT), sp = H5Dget_space(d);
    hsize_t one = 1, at = 0;
    hid_t ms = H5Screate_simple(1, &one, NULL);
    H5Sselect_hyperslab(sp, H5S_SELECT_SET, &at, NULL, &one, NULL);
    uint32_t u = (uint32_t)value;
    if (how == T_SET_U32)
      H5Dwrite(d, H5T_NATIVE_UINT32, ms, sp, H5P_DEFAULT, &u);
    else
      H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, &value);
    H5Sclose(ms);
    H5Sclose(sp);
    H5Dclose(d);
  }
  H5Fclose(f);
}

/* Tampered files: exit 2 with the file and the dataset named, nothing
 * written (before: heap overflows, a hang on a zero rate, a shortened
 * residents/tube silently dropping residents). */
static void test_tampered_files_refused(void **state) {
  (void)state;
  static const struct {
    const char *dset;
    tamper_t how;
    double value;
    const char *message;
  } cases[] = {
      {"residents/tube", T_SHORTEN, 0, "dataset /residents/tube has 94 rows; /residents has 95"},
      {"tubes/lab", T_SET_U32, 7, "dataset /tubes/lab row 0: 7 is not a row of /labs"},
      {"tubes/community", T_SET_U32, 4000000000.0, "dataset /tubes/community row 0"},
      {"residents/tube", T_SET_U32, 99999, "dataset /residents/tube row 0: 99999 is not a row"},
      {"sites/rate", T_SET_F64, 0, "dataset /sites/rate row 0: 0 is not positive"},
      {"labs/wells_per_run", T_SET_U32, 0, "dataset /labs/wells_per_run row 0: 0 is not positive"},
      {"labs/run_minutes", T_SET_U32, 0, "dataset /labs/run_minutes row 0: 0 is not positive"},
      {"site_schedule/tube_first", T_SET_U32, 5, "dataset /site_schedule/tube_first row 0"},
      {"lab_runs/lab", T_SHORTEN, 0, "rows; /lab_runs has 5"},
      {"tubes/site", T_DROP, 0, "dataset /tubes/site is missing"},
      {"streets/wave_order", T_SET_U32, 12, "dataset /streets/wave_order row 0: 12 is not a row"},
      {"", T_ATTR, 0, "format attribute 'other!'"},
      {"residents/household", T_SET_U32, 5000, "dataset /residents/household row 0: 5000 is not a row of /households"},
      {"sites/x_km", T_SET_F64, 1.0 / 0.0, "dataset /sites/x_km row 0: inf is not a finite number"},
  };
  char *dir = tu_tmpdir();
  char *h5 = plan_into(dir, "p", "");
  char id[64], csv[256];
  first_tube(dir, "p", id, sizeof id);
  snprintf(csv, sizeof csv, "tube,result\n%s,positive\n", id);
  tu_write(dir, "r.csv", csv);
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char copy[2048], cmd[8192], *so, *se;
    snprintf(copy, sizeof copy, "%s/t%zu.h5", dir, k);
    snprintf(cmd, sizeof cmd, "cp %s %s", h5, copy);
    assert_int_equal(system(cmd), 0);
    tamper(copy, cases[k].dset, cases[k].how, cases[k].value);
    snprintf(cmd, sizeof cmd, "%s decode %s %s/r.csv -o %s/o%zu", PSC_CLI_PATH, copy, dir, dir, k);
    int rc = tu_run(cmd, &so, &se);
    if (rc != 2 || !strstr(se, cases[k].message) || !strstr(se, copy))
      fail_msg("case %zu (%s): exit %d, stderr:\n%s", k, cases[k].dset, rc, se);
    snprintf(cmd, sizeof cmd, "%s/o%zu", dir, k);
    FILE *none = fopen(cmd, "r");
    assert_null(none);
    free(so);
    free(se);
  }
  free(h5);
  tu_rmtree(dir);
  free(dir);
}

/* Two plans of one scenario (pool 10 and pool 8) have different
 * identities, so different tube ids; decoding one plan's results against
 * the other is refused with exit 2 naming the plan (before: exit 0 and 480
 * people under control). */
static void test_other_plans_results_refused(void **state) {
  (void)state;
  char *dir = tu_tmpdir(), *dir8 = tu_tmpdir();
  char *a = plan_into(dir, "p", "");
  char *b = plan_into(dir8, "p", "s/^pool_size.*/pool_size = 8/");
  char ida[64], idb[64], csv[256], cmd[8192], *so, *se;
  first_tube(dir, "p", ida, sizeof ida);
  first_tube(dir8, "p", idb, sizeof idb);
  assert_int_equal(strlen(ida), 19);
  assert_string_not_equal(ida, idb);
  snprintf(csv, sizeof csv, "tube,result\n%s,positive\n", ida);
  tu_write(dir, "r.csv", csv);
  char identity[64] = "";
  hid_t f = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t at = H5Aopen(f, "plan_identity", H5P_DEFAULT), t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  char *s = NULL;
  assert_true(H5Aread(at, t, &s) >= 0);
  snprintf(identity, sizeof identity, "%s", s);
  H5free_memory(s);
  assert_int_equal(strlen(identity), 16);
  H5Tclose(t);
  H5Aclose(at);
  H5Fclose(f);
  snprintf(cmd, sizeof cmd, "%s decode %s %s/r.csv -o %s/o", PSC_CLI_PATH, b, dir, dir);
  assert_int_equal(tu_run(cmd, &so, &se), 2);
  assert_non_null(strstr(se, "is from another plan"));
  assert_non_null(strstr(se, identity));
  free(so);
  free(se);
  free(a);
  free(b);
  tu_rmtree(dir);
  tu_rmtree(dir8);
  free(dir);
  free(dir8);
}

/* A round-1 decode.h5 that links to its plan file (large plans), after the
 * plan was made again into the same folder with other options: round 2 is
 * refused naming both identities (before: exit 0 combining round 1 with a
 * different plan). */
static void test_replaced_linked_plan_refused(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *h5 = plan_into(dir, "p", "");
  char id[64], csv[256], cmd[8192], *so, *se;
  first_tube(dir, "p", id, sizeof id);
  snprintf(csv, sizeof csv, "tube,result\n%s,positive\n", id);
  tu_write(dir, "r.csv", csv);
  snprintf(cmd, sizeof cmd,
           "PSC_DECODE_COPY_LIMIT=0 %s decode %s %s/r.csv -o %s/d1 > /dev/null && "
           "awk -F, 'NR>1 {print $7\",negative\"}' %s/d1/retests.csv | sed '1i tube,result' > "
           "%s/rt.csv && %s plan %s/scenario.ini --margin 3 --no-advice -o %s/p > /dev/null",
           PSC_CLI_PATH, h5, dir, dir, dir, dir, PSC_CLI_PATH, dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s decode %s/d1/decode.h5 %s/rt.csv -o %s/d2", PSC_CLI_PATH, dir,
           dir, dir);
  assert_int_equal(tu_run(cmd, &so, &se), 2);
  assert_non_null(strstr(se, "was made from plan "));
  assert_non_null(strstr(se, "is now plan "));
  free(so);
  free(se);
  free(h5);
  tu_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_writer_follows_table),
      cmocka_unit_test(test_tampered_files_refused),
      cmocka_unit_test(test_other_plans_results_refused),
      cmocka_unit_test(test_replaced_linked_plan_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
