/* decode: the A2 rule on every 3x3 pattern, invariants on generated plans
 * and random results over many seeds, the second round, and bad input. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Every outcome of the 3 rows and 3 columns, against the rule written as
 * sets: both positive -> their crossings; only rows -> whole rows; only
 * columns -> whole columns; and under perfect tests every positive cell of
 * every infection pattern is retested. */
static void test_a2_rule_exhaustive(void **state) {
  (void)state;
  for (unsigned o = 0; o < 64; o++) {
    uint8_t row[3], col[3], got[9];
    int nr = 0, nc = 0;
    for (int i = 0; i < 3; i++) {
      row[i] = o >> i & 1;
      col[i] = o >> (3 + i) & 1;
      nr += row[i];
      nc += col[i];
    }
    uint32_t n = psc_a2_retest(3, row, col, got), want_n = 0;
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) {
        int want = nr && nc ? row[i] && col[j] : nr ? row[i] : nc ? col[j] : 0;
        if (got[i * 3 + j] != want)
          fail_msg("rows %d%d%d cols %d%d%d: cell (%d,%d) %d, want %d", row[0], row[1], row[2],
                   col[0], col[1], col[2], i, j, got[i * 3 + j], want);
        want_n += (uint32_t)want;
      }
    assert_int_equal(n, want_n);
  }
  for (unsigned x = 0; x < 512; x++) {
    uint8_t row[3] = {0}, col[3] = {0}, got[9];
    for (int c = 0; c < 9; c++)
      if (x >> c & 1)
        row[c / 3] = col[c % 3] = 1;
    psc_a2_retest(3, row, col, got);
    for (int c = 0; c < 9; c++)
      if (x >> c & 1)
        assert_int_equal(got[c], 1);
  }
}

static char *plan_tiny(const char *dir) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s plan %s/tiny/scenario.ini -o %s/p >/dev/null", PSC_CLI_PATH,
           PSC_TEST_DATA, dir);
  assert_int_equal(system(cmd), 0);
  char *h5 = malloc(1024);
  snprintf(h5, 1024, "%s/p/plan.h5", dir);
  return h5;
}

/* Tube ids of a plan, from its tube manifest. */
static int tube_ids(const char *dir, char ids[][20], int max) {
  char path[1024], line[512], last[20] = "";
  snprintf(path, sizeof path, "%s/p/assignment.csv", dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  int n = 0;
  assert_non_null(fgets(line, sizeof line, f));
  while (fgets(line, sizeof line, f) && n < max) {
    line[19] = '\0';
    if (strcmp(line, last)) {
      memcpy(ids[n++], line, 20);
      memcpy(last, line, 20);
    }
  }
  fclose(f);
  return n;
}

static int count_lines(const char *dir, const char *name) {
  char path[1024], line[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  int n = 0;
  while (fgets(line, sizeof line, f))
    n++;
  fclose(f);
  return n - 1;
}

/* Random results on the tiny plan, many seeds: control = members of
 * positive tubes, once each; retests the same people; pending tubes listed
 * and never counted negative; counts reconcile. */
static void test_invariants_random_results(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *h5 = plan_tiny(dir);
  char ids[256][20];
  int nt = tube_ids(dir, ids, 256);
  assert_true(nt > 10);
  for (uint64_t seed = 1; seed <= 40; seed++) {
    uint64_t x = seed;
    char csv[16384];
    size_t o = (size_t)snprintf(csv, sizeof csv, "tube,result,ct\n");
    int npos = 0, nneg = 0, ninv = 0, npend = 0;
    for (int t = 0; t < nt; t++) {
      x = psc__mix64(x);
      int r = (int)(x % 10);
      if (r < 2) {
        npend++;
        continue;
      }
      const char *w = r < 4 ? "positive" : r < 5 ? "invalid" : "negative";
      npos += r < 4;
      ninv += r == 4;
      nneg += r >= 5;
      o += (size_t)snprintf(csv + o, sizeof csv - o, "%s,%s,\n", ids[t], w);
    }
    tu_write(dir, "r.csv", csv);
    psc_diags_t *d = psc_diags_create();
    psc_decode_t *dc = NULL;
    assert_int_equal(psc_decode_run(h5, tu_path(dir, "r.csv"), d, &dc), 0);
    const psc_decode_summary_t *s = psc_decode_summary(dc);
    assert_int_equal(s->positive_tubes, npos);
    assert_int_equal(s->negative_tubes, nneg);
    assert_int_equal(s->invalid_tubes, ninv);
    assert_int_equal(s->pending_tubes, npend);
    assert_int_equal(s->positive_tubes + s->negative_tubes + s->invalid_tubes + s->pending_tubes,
                     (uint32_t)nt);
    char out[1024];
    snprintf(out, sizeof out, "%s/o%llu", dir, (unsigned long long)seed);
    if (seed == 1) {
      /* the outputs are one set: a blocked decode.h5 leaves no list */
      char *blocked = tu_tmpdir();
      tu_block(blocked, "decode.h5");
      assert_int_not_equal(psc_decode_write(dc, blocked), 0);
      assert_int_equal(tu_entries(blocked), 1);
      tu_rmtree(blocked);
      free(blocked);
    }
    assert_int_equal(psc_decode_write(dc, out), 0);
    /* control.csv: exactly the members of the positive tubes, once each */
    char cmd[8192], *res;
    snprintf(cmd, sizeof cmd,
             "cd %s && awk -F, 'NR==FNR {if ($2==\"positive\") pos[$1]=1; next} "
             "FNR>1 && ($1 in pos) {print $2}' r.csv %s/p/assignment.csv | sort > want; "
             "awk -F, 'NR>1 {print $1}' %s/control.csv | sort > c; "
             "awk -F, 'NR>1 {print $1}' %s/retests.csv | sort > r; "
             "cmp -s want c && cmp -s want r && test -z \"$(uniq -d c)\" && echo same",
             dir, dir, out, out);
    assert_int_equal(tu_run(cmd, &res, NULL), 0);
    if (strcmp(res, "same\n"))
      fail_msg("seed %llu: control/retests differ from the positive tubes' members",
               (unsigned long long)seed);
    free(res);
    assert_int_equal(count_lines(out, "pending.csv"), npend);
    assert_int_equal(count_lines(out, "rerun.csv"), ninv);
    /* a unit with a pending tube is never complete */
    if (npend)
      assert_true(isinf(s->district_complete_after));
    psc_decode_free(dc);
    psc_diags_free(d);
  }
  tu_rmtree(dir);
  free(dir);
  free(h5);
}

static void second_round(int linked) {
  setenv("PSC_DECODE_COPY_LIMIT", linked ? "0" : "", 1);
  char *dir = tu_tmpdir();
  char *h5 = plan_tiny(dir);
  char ids[256][20];
  tube_ids(dir, ids, 256);
  char csv[512];
  snprintf(csv, sizeof csv, "tube,result\n%s,positive\n%s,positive\n", ids[0], ids[1]);
  tu_write(dir, "r.csv", csv);
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  assert_int_equal(psc_decode_run(h5, tu_path(dir, "r.csv"), d, &dc), 0);
  char out[1024];
  snprintf(out, sizeof out, "%s/o", dir);
  assert_int_equal(psc_decode_write(dc, out), 0);
  uint32_t nrt = psc_decode_summary(dc)->retests;
  psc_decode_free(dc);
  /* the first pool's members all negative; one of the second's positive */
  char cmd[4096], *rt;
  snprintf(cmd, sizeof cmd, "awk -F, 'NR>1 {print $7\",\"$8}' %s/retests.csv", out);
  assert_int_equal(tu_run(cmd, &rt, NULL), 0);
  char results[8192];
  size_t o = (size_t)snprintf(results, sizeof results, "tube,result,ct\n");
  int first_pos = 0;
  for (char *line = strtok(rt, "\n"); line; line = strtok(NULL, "\n")) {
    char *comma = strchr(line, ',');
    *comma = '\0';
    int pool1 = !strcmp(comma + 1, ids[0]);
    const char *w = pool1 ? "negative" : (first_pos++ ? "negative" : "positive");
    o += (size_t)snprintf(results + o, sizeof results - o, "%s,%s,\n", line, w);
  }
  free(rt);
  tu_write(dir, "rt.csv", results);
  char dh5[2048];
  snprintf(dh5, sizeof dh5, "%s/decode.h5", out);
  assert_int_equal(psc_decode_run(dh5, tu_path(dir, "rt.csv"), d, &dc), 0);
  const psc_decode_summary_t *s = psc_decode_summary(dc);
  assert_int_equal(s->round, 2);
  assert_int_equal(s->confirmed, 1);
  assert_int_equal(s->released, nrt - 1);
  assert_int_equal(s->pools_all_negative, 1);
  assert_true(s->household_members >= 1);
  char out2[1024];
  snprintf(out2, sizeof out2, "%s/o2", dir);
  assert_int_equal(psc_decode_write(dc, out2), 0);
  assert_int_equal(count_lines(out2, "confirmed.csv"), 1);
  assert_int_equal(count_lines(out2, "rerun.csv"), 1);
  psc_decode_free(dc);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
  free(h5);
  unsetenv("PSC_DECODE_COPY_LIMIT");
}

/* decode.h5 as a copy of the plan, and as links to it (large plans) */
static void test_second_round(void **state) {
  (void)state;
  second_round(0);
  second_round(1);
}

static void test_bad_results(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *h5 = plan_tiny(dir);
  char ids[256][20];
  tube_ids(dir, ids, 256);
  char csv[1024];
  snprintf(csv, sizeof csv,
           "tube,result,ct\n%s,positive,30\n%s,positive,31\n%s,maybe,\nNOPE,negative,\n"
           "2301010000000000190,negative,\n%s,positive,x\n%s,negative,\n%s,positive,\n",
           ids[0], ids[0], ids[1], ids[2], ids[3], ids[3]);
  tu_write(dir, "bad.csv", csv);
  psc_diags_t *d = psc_diags_create();
  psc_decode_t *dc = NULL;
  assert_int_equal(psc_decode_run(h5, tu_path(dir, "bad.csv"), d, &dc), PSC_EINPUT);
  assert_null(dc);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 3, 1, "duplicate row"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 4, 21, "result 'maybe'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 5, 1, "unknown tube 'NOPE'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 6, 1, "from another plan"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 7, 30, "ct 'x'"));
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 9, 21, "contradictory results"));
  psc_diags_free(d);
  /* not a plan at all */
  d = psc_diags_create();
  assert_int_equal(psc_decode_run(tu_path(dir, "bad.csv"), tu_path(dir, "bad.csv"), d, &dc),
                   PSC_EINPUT);
  assert_true(tu_has_diag(d, PSC_DIAG_ERROR, "bad.csv", 1, 1, "not a plan file"));
  psc_diags_free(d);
  /* the CLI: exit 2, nothing written */
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s decode %s %s/bad.csv -o %s/never", PSC_CLI_PATH, h5, dir, dir);
  assert_int_equal(tu_run(cmd, NULL, NULL), 2);
  FILE *f = fopen(tu_path(dir, "never"), "r");
  assert_null(f);
  tu_rmtree(dir);
  free(dir);
  free(h5);
}

/* Array plans: control.csv holds exactly the residents the A2 rule names in
 * every fully reported array, over many random result sets. */
static void test_array_decode(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  tu_write(dir, "scenario.ini",
           "[pooling]\ndesign = array\narray_size = 4\n"
           "[tables]\ncommunities = c.csv\nsites = s.csv\nlabs = l.csv\n");
  tu_write(dir, "c.csv", "id,street,population,households,door_to_door,x_km,y_km\n"
                         "A,S,70,30,2,0,0\nB,S,23,10,0,1,1\n");
  tu_write(dir, "s.csv", "id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n"
                         "F,S,fixed,2,60,00:00,24:00,0,0\nD,S,door_to_door,1,6,08:00,20:00,0,0\n");
  tu_write(dir, "l.csv", "id,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n"
                         "L,2,24,60,00:00,24:00,0,5\n");
  psc_diags_t *d = psc_diags_create();
  psc_scenario_t *s = NULL;
  assert_int_equal(psc_scenario_load(tu_path(dir, "scenario.ini"), d, &s), 0);
  psc_plan_t *p = NULL;
  assert_int_equal(psc_plan_create(s, NULL, &p), 0);
  char h5[2048];
  snprintf(h5, sizeof h5, "%s/p/plan.h5", dir);
  assert_int_equal(psc_plan_write_h5(p, h5, 0), 0);
  const psc_tubes_t *t = psc_plan_tubes(p);
  uint32_t nres = psc_scenario_roster(s)->residents;
  uint8_t *want = calloc(nres, 1), *res = calloc(t->count, 1);
  for (uint64_t seed = 1; seed <= 30; seed++) {
    uint64_t x = seed;
    char csv[16384];
    size_t o = (size_t)snprintf(csv, sizeof csv, "tube,result\n");
    for (uint32_t k = 0; k < t->count; k++) {
      x = psc__mix64(x);
      res[k] = x % 20 == 0 ? 0 : x % 20 == 1 ? 3 : (x >> 8) % 4 == 0 ? 1 : 2; /* 0 none 1 pos 2 neg 3 inv */
      char id[32];
      psc_plan_tube_id(p, k, id, sizeof id);
      if (res[k])
        o += (size_t)snprintf(csv + o, sizeof csv - o, "%s,%s\n", id,
                              res[k] == 1 ? "positive" : res[k] == 2 ? "negative" : "invalid");
    }
    tu_write(dir, "r.csv", csv);
    /* the expected set, from the rule as sets */
    memset(want, 0, nres);
    for (uint32_t k = 0; k < t->count;) {
      uint32_t m[64], n = psc_plan_tube_members(p, k, m, 64);
      if (t->stream[k] != PSC_STREAM_WALK_IN) { /* pooled: every member of a positive tube */
        for (uint32_t j = 0; j < n && res[k] == 1; j++)
          want[m[j]] = 1;
        k++;
        continue;
      }
      /* an array: rows while tubes are row tubes of this array, then columns */
      uint32_t a = k, rows = 0, cols = 0;
      int ok = 1;
      while (k < t->count && t->stream[k] == PSC_STREAM_WALK_IN) {
        uint32_t mm[64];
        psc_plan_tube_members(p, k, mm, 64);
        int is_col = psc_plan_resident_tube2(p, mm[0]) == k;
        if (!is_col && cols)
          break; /* the next array's first row */
        rows += !is_col;
        cols += is_col;
        ok &= res[k] == 1 || res[k] == 2;
        k++;
      }
      if (!ok)
        continue;
      int anyr = 0, anyc = 0;
      for (uint32_t i = 0; i < rows; i++)
        anyr |= res[a + i] == 1;
      for (uint32_t j = 0; j < cols; j++)
        anyc |= res[a + rows + j] == 1;
      for (uint32_t i = 0; i < rows; i++) {
        uint32_t mm[64], nn = psc_plan_tube_members(p, a + i, mm, 64);
        for (uint32_t j = 0; j < nn; j++) {
          int R = res[a + i] == 1, C = res[a + rows + j] == 1;
          if (anyr && anyc ? (R && C) : anyr ? R : anyc ? C : 0)
            want[mm[j]] = 1;
        }
      }
    }
    psc_decode_t *dc = NULL;
    assert_int_equal(psc_decode_run(h5, tu_path(dir, "r.csv"), d, &dc), 0);
    char out[2048];
    snprintf(out, sizeof out, "%s/o", dir);
    assert_int_equal(psc_decode_write(dc, out), 0);
    uint32_t nwant = 0;
    for (uint32_t i = 0; i < nres; i++)
      nwant += want[i];
    assert_int_equal(psc_decode_summary(dc)->under_control, nwant);
    FILE *f = fopen(tu_path(out, "control.csv"), "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
      *strchr(line, ',') = '\0';
      int found = 0;
      for (uint32_t i = 0; i < nres && !found; i++) {
        char id[64];
        psc_scenario_resident_id(s, i, id, sizeof id);
        if (!strcmp(id, line)) {
          found = 1;
          if (!want[i])
            fail_msg("seed %llu: %s under control, but the rule does not name them",
                     (unsigned long long)seed, line);
        }
      }
      assert_true(found);
    }
    fclose(f);
    psc_decode_free(dc);
  }
  free(want);
  free(res);
  psc_plan_free(p);
  psc_scenario_free(s);
  psc_diags_free(d);
  tu_rmtree(dir);
  free(dir);
}

static int has_line(const char *dir, const char *name, const char *text) {
  char path[1024], line[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  int found = 0;
  while (!found && fgets(line, sizeof line, f))
    found = strstr(line, text) != NULL;
  fclose(f);
  return found;
}

/* Rounds never overwrite each other (issue #9): round 2 into round 1's
 * folder is refused (exit 2, nothing written) unless --replace, which
 * leaves no round-1 list behind; another plan's round 1 into the folder is
 * refused; by default round 2 goes beside round 1; and round 1's invalid
 * and pending pool tubes are carried into round 2's rerun.csv and
 * pending.csv. */
static void test_round_folders(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  char *h5 = plan_tiny(dir);
  char ids[256][20];
  int nt = tube_ids(dir, ids, 256);
  assert_true(nt > 4);
  /* tube 0 positive, 1 invalid, 2 without a result, the rest negative */
  char csv[16384];
  size_t o = (size_t)snprintf(csv, sizeof csv, "tube,result\n%s,positive\n%s,invalid\n", ids[0],
                              ids[1]);
  for (int t = 3; t < nt; t++)
    o += (size_t)snprintf(csv + o, sizeof csv - o, "%s,negative\n", ids[t]);
  tu_write(dir, "r.csv", csv);
  char cmd[16384], *out = NULL, *err = NULL;
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s r.csv", dir, PSC_CLI_PATH, h5);
  assert_int_equal(tu_run(cmd, &out, &err), 0);
  free(out);
  free(err);
  char r1[512], r2[512];
  snprintf(r1, sizeof r1, "%s/poolscreen-decode/round-1", dir);
  snprintf(r2, sizeof r2, "%s/poolscreen-decode/round-2", dir);
  assert_int_equal(count_lines(r1, "control.csv") >= 1, 1);
  assert_true(has_line(r1, "decode_round.txt", "round = 1"));
  /* every retest negative */
  snprintf(cmd, sizeof cmd,
           "awk -F, 'NR==1{print \"tube,result\"} NR>1{print $7\",negative\"}' %s/retests.csv > %s/rt.csv",
           r1, dir);
  assert_int_equal(system(cmd), 0);
  /* into round 1's folder: refused, nothing written */
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/decode.h5 rt.csv -o %s", dir, PSC_CLI_PATH, r1,
           r1);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "holds round 1's outputs; this is round 2"));
  free(out);
  free(err);
  assert_int_equal(count_lines(r1, "confirmed.csv"), -1);
  assert_true(has_line(r1, "decode_round.txt", "round = 1"));
  /* by default beside round 1 */
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/decode.h5 rt.csv", dir, PSC_CLI_PATH, r1);
  assert_int_equal(tu_run(cmd, &out, &err), 0);
  free(out);
  free(err);
  assert_true(has_line(r2, "decode_round.txt", "round = 2"));
  assert_true(count_lines(r2, "released.csv") >= 1);
  /* round 1's unresolved pool tubes carried forward */
  char want[64];
  snprintf(want, sizeof want, "%s,LAB1,invalid", ids[1]);
  assert_true(has_line(r2, "rerun.csv", want));
  snprintf(want, sizeof want, "%s,LAB1", ids[2]);
  assert_true(has_line(r2, "pending.csv", want));
  assert_true(has_line(r1, "pending.csv", want));
  /* rerunning round 2 into its own folder is the same round: allowed */
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/decode.h5 rt.csv -q", dir, PSC_CLI_PATH, r1);
  assert_int_equal(system(cmd), 0);
  /* --replace: round 2 replaces round 1, no round-1 list is left */
  char r3[512];
  snprintf(r3, sizeof r3, "%s/copy", dir);
  snprintf(cmd, sizeof cmd, "cp -r %s %s && cd %s && %s decode %s/decode.h5 rt.csv -o %s --replace -q",
           r1, r3, dir, PSC_CLI_PATH, r1, r3);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(count_lines(r3, "control.csv"), -1);
  assert_int_equal(count_lines(r3, "retests.csv"), -1);
  assert_true(has_line(r3, "decode_round.txt", "round = 2"));
  /* another plan (pools of 4) into round 1's folder: refused */
  char alt[512];
  snprintf(alt, sizeof alt, "%s/alt", dir);
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s && cp %s/tiny/*.csv %s/ && sed 's/pool_size = 5/pool_size = 4/' "
           "%s/tiny/scenario.ini > %s/scenario.ini && %s plan %s/scenario.ini -o %s/p -q",
           alt, PSC_TEST_DATA, alt, PSC_TEST_DATA, alt, PSC_CLI_PATH, alt, alt);
  assert_int_equal(system(cmd), 0);
  char alt_ids[256][20];
  int na = tube_ids(alt, alt_ids, 256);
  o = (size_t)snprintf(csv, sizeof csv, "tube,result\n");
  for (int t = 0; t < na; t++)
    o += (size_t)snprintf(csv + o, sizeof csv - o, "%s,negative\n", alt_ids[t]);
  tu_write(alt, "r.csv", csv);
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/p/plan.h5 %s/r.csv -o %s", dir, PSC_CLI_PATH,
           alt, alt, r1);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "outputs of another plan"));
  free(out);
  free(err);
  assert_true(has_line(r1, "decode_round.txt", "round = 1"));
  /* its own folder takes it */
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/p/plan.h5 %s/r.csv -o %s/d -q", dir,
           PSC_CLI_PATH, alt, alt, alt);
  assert_int_equal(system(cmd), 0);
  /* a folder with decode outputs but no mark: refused too */
  tu_write(alt, "d/decode_round.txt", "");
  assert_int_equal(remove(tu_path(alt, "d/decode_round.txt")), 0);
  snprintf(cmd, sizeof cmd, "cd %s && %s decode %s/p/plan.h5 %s/r.csv -o %s/d", dir, PSC_CLI_PATH,
           alt, alt, alt);
  assert_int_equal(tu_run(cmd, &out, &err), 2);
  assert_non_null(strstr(err, "unknown round or plan"));
  free(out);
  free(err);
  tu_rmtree(dir);
  free(dir);
  free(h5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a2_rule_exhaustive),
      cmocka_unit_test(test_invariants_random_results),
      cmocka_unit_test(test_second_round),
      cmocka_unit_test(test_bad_results),
      cmocka_unit_test(test_array_decode),
      cmocka_unit_test(test_round_folders),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
