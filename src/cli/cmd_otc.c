/* `poolscreen otc`: operating characteristics of a pooling design, or the
 * optimal design for a prevalence and a test's accuracy. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "poolscreen/otc.h"

void cmd_otc_help(FILE *out) {
  fprintf(out,
          "Usage: poolscreen otc --prevalence P --se SE --sp SP [options]\n\n"
          "Exact operating characteristics of pooling designs (Kim et al. 2007): expected\n"
          "tests per person, pooling sensitivity and specificity, PPV and NPV.\n"
          "Without --design, searches every configuration and ranks them.\n\n"
          "  --prevalence P        prevalence, 0 < P < 1\n"
          "  --se SE[,SE2[,SE3]]   sensitivity, one value or one per stage (0.5 < SE <= 1)\n"
          "  --sp SP[,SP2[,SP3]]   specificity, the same\n"
          "  --design D            evaluate one: D2:10, D3:20/5, D3:12/5+5+2, A2:10, A2M:10\n"
          "  --algorithms LIST     search these (default D2,D3,A2,A2M)\n"
          "  --sizes A:B           pool sizes (row lengths for arrays) to search\n"
          "                        (default 3:30; arrays 3:20)\n"
          "  --capacity N          PCR tests a day, to show people screened a day (30000)\n"
          "  --top N               configurations to print (default 10)\n"
          "  --dilution M,S,LOD    dilution model: positives' Ct ~ Normal(M, S), detected\n"
          "                        when Ct + log2(pool size) <= LOD\n"
          "  --bingroup2           count A2M tests as binGroup2's opChar1 does\n"
          "  --csv                 machine-readable rows\n");
}

static int parse_list(const char *s, double *v, int max) {
  int n = 0;
  char *end;
  while (n < max) {
    v[n++] = strtod(s, &end);
    if (end == s)
      return -1;
    if (!*end)
      break;
    if (*end != ',')
      return -1;
    s = end + 1;
  }
  for (int i = n; i < max; i++)
    v[i] = v[n - 1];
  return n;
}

static const char *ALG[] = {"D2", "D3", "A2", "A2M"};

static void print_row(int csv, int rank, const psc_ranked_t *r, double capacity) {
  char cfg[512];
  psc_design_format(&r->design, cfg, sizeof cfg);
  double people = capacity / r->oc.tests_per_person;
  if (csv)
    printf("%s,%s,%.15g,%.15g,%.15g,%.15g,%.15g,%.0f\n", ALG[r->design.alg], cfg,
           r->oc.tests_per_person, r->oc.pse, r->oc.psp, r->oc.ppv, r->oc.npv, people);
  else
    printf("%4d  %-18s %12.6f %9.6f %9.6f %9.6f %9.6f %12.0f\n", rank, cfg,
           r->oc.tests_per_person, r->oc.pse, r->oc.psp, r->oc.ppv, r->oc.npv, people);
}

int cmd_otc(int argc, char **argv) {
  enum { O_P = 1000, O_SE, O_SP, O_DESIGN, O_ALG, O_SIZES, O_CAP, O_TOP, O_DIL, O_BG2, O_CSV };
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},           {"prevalence", required_argument, NULL, O_P},
      {"se", required_argument, NULL, O_SE},      {"sp", required_argument, NULL, O_SP},
      {"design", required_argument, NULL, O_DESIGN}, {"algorithms", required_argument, NULL, O_ALG},
      {"sizes", required_argument, NULL, O_SIZES}, {"capacity", required_argument, NULL, O_CAP},
      {"top", required_argument, NULL, O_TOP},    {"dilution", required_argument, NULL, O_DIL},
      {"bingroup2", no_argument, NULL, O_BG2},    {"csv", no_argument, NULL, O_CSV},
      {NULL, 0, NULL, 0}};
  double p = NAN, capacity = 30000;
  psc_accuracy_t acc;
  int have_se = 0, have_sp = 0, csv = 0, top = 10, sizes_given = 0;
  uint32_t mask = 0xF, kmin = 3, kmax = 30;
  const char *design = NULL;
  psc_dilution_t dil = {0, 0, 0, 0};
  psc_a2m_count_t a2m = PSC_A2M_EXACT;
  char *end;
  int ch;
  opterr = 0;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      cmd_otc_help(stdout);
      return CLI_OK;
    case O_P:
      p = strtod(optarg, &end);
      if (*end || !(p > 0 && p < 1))
        return cli_usage_error("otc", "--prevalence must be a number with 0 < P < 1");
      break;
    case O_SE:
    case O_SP: {
      double v[3];
      if (parse_list(optarg, v, 3) < 0)
        return cli_usage_error("otc", "--%s takes one number or three, comma-separated",
                               ch == O_SE ? "se" : "sp");
      for (int i = 0; i < 3; i++) {
        if (!(v[i] > 0.5 && v[i] <= 1))
          return cli_usage_error("otc", "--%s must be in (0.5, 1]", ch == O_SE ? "se" : "sp");
        if (ch == O_SE)
          acc.se[i] = v[i];
        else
          acc.sp[i] = v[i];
      }
      if (ch == O_SE)
        have_se = 1;
      else
        have_sp = 1;
      break;
    }
    case O_DESIGN:
      design = optarg;
      break;
    case O_ALG: {
      mask = 0;
      char *list = strdup(optarg), *save = NULL;
      for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int a = 0; a < PSC_ALGORITHMS; a++)
          if (!strcmp(t, ALG[a]))
            found = a;
        if (found < 0) {
          int rc = cli_usage_error("otc", "unknown algorithm '%s' (D2, D3, A2, A2M)", t);
          free(list);
          return rc;
        }
        mask |= 1u << found;
      }
      free(list);
      if (!mask)
        return cli_usage_error("otc", "--algorithms is empty");
      break;
    }
    case O_SIZES: {
      unsigned long a = strtoul(optarg, &end, 10), b;
      if (*end != ':' || (b = strtoul(end + 1, &end, 10), *end) || a < 1 || b > 1000)
        return cli_usage_error("otc", "--sizes takes A:B with 1 <= A <= B <= 1000");
      if (a > b)
        return cli_usage_error("otc", "--sizes %lu:%lu is reversed (empty)", a, b);
      kmin = (uint32_t)a;
      kmax = (uint32_t)b;
      sizes_given = 1;
      break;
    }
    case O_CAP:
      capacity = strtod(optarg, &end);
      if (*end || !(capacity > 0))
        return cli_usage_error("otc", "--capacity must be a positive number of tests a day");
      break;
    case O_TOP:
      top = (int)strtol(optarg, &end, 10);
      if (*end || top < 1 || top > 1000)
        return cli_usage_error("otc", "--top takes a whole number from 1 to 1000");
      break;
    case O_DIL: {
      double v[3];
      if (parse_list(optarg, v, 3) != 3 || !(v[1] > 0))
        return cli_usage_error("otc", "--dilution takes MEAN,SD,LOD with SD > 0");
      dil = (psc_dilution_t){1, v[0], v[1], v[2]};
      break;
    }
    case O_BG2:
      a2m = PSC_A2M_BINGROUP2;
      break;
    case O_CSV:
      csv = 1;
      break;
    default:
      return cli_usage_error("otc", "unknown or incomplete option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("otc", "unexpected argument '%s'", argv[optind]);
  if (isnan(p) || !have_se || !have_sp)
    return cli_usage_error("otc", "--prevalence, --se and --sp are required");
  /* a design is checked before anything is printed: a rejected one leaves
   * stdout empty */
  psc_ranked_t one;
  if (design) {
    char err[256];
    if (psc_design_parse(design, &one.design, err, sizeof err))
      return cli_usage_error("otc", "--design %s", err);
    psc_accuracy_t a;
    psc_design_accuracy(&one.design, &acc, &dil, &a);
    if (psc_otc_eval(&one.design, p, &a, a2m, &one.oc))
      return cli_usage_error("otc", "--design '%s' is not a valid design", design);
  }
  if (csv)
    printf("algorithm,config,tests_per_person,pse,psp,ppv,npv,people_per_day\n");
  else
    printf("Prevalence %g; Se %g/%g/%g, Sp %g/%g/%g by stage%s; capacity %.0f tests/day\n"
           "Counting bound H(p) = %.6f tests per person (%.0f people/day at best)\n\n",
           p, acc.se[0], acc.se[1], acc.se[2], acc.sp[0], acc.sp[1], acc.sp[2],
           dil.enabled ? ", with dilution" : "", capacity, psc_entropy_bound(p),
           capacity / psc_entropy_bound(p));
  if (design) {
    psc_ranked_t r = one;
    if (!csv)
      printf("rank  config             tests/person       PSe       PSp       PPV       NPV "
             "  people/day\n");
    print_row(csv, 1, &r, capacity);
    return CLI_OK;
  }
  psc_ranked_t *best = calloc((size_t)top, sizeof(*best));
  if (!best)
    return CLI_FAILURE;
  /* arrays default to rows of 3..20 unless sizes were given */
  size_t n = 0;
  psc_ranked_t *all = calloc((size_t)top * 2, sizeof(*all));
  size_t na = 0, nb = 0;
  uint32_t pools = mask & ((1u << PSC_D2) | (1u << PSC_D3));
  uint32_t arrays = mask & ((1u << PSC_A2) | (1u << PSC_A2M));
  int rc = 0;
  if (!all)
    rc = PSC_ENOMEM;
  if (!rc && pools)
    rc = psc_otc_search(pools, kmin, kmax, p, &acc, &dil, a2m, all, (size_t)top, &na);
  if (!rc && arrays)
    rc = psc_otc_search(arrays, kmin < 2 ? 2 : kmin, sizes_given ? kmax : (kmax < 20 ? kmax : 20),
                        p, &acc, &dil, a2m, all + na, (size_t)top, &nb);
  if (rc) {
    free(best);
    free(all);
    return cli_usage_error("otc", "no configuration in that range");
  }
  /* merge the two ranked lists */
  size_t i = 0, j = na;
  while (n < (size_t)top && (i < na || j < na + nb)) {
    int take_a = j >= na + nb || (i < na && all[i].oc.tests_per_person <= all[j].oc.tests_per_person);
    best[n++] = take_a ? all[i++] : all[j++];
  }
  if (!csv)
    printf("rank  config             tests/person       PSe       PSp       PPV       NPV "
           "  people/day\n");
  for (size_t k = 0; k < n; k++)
    print_row(csv, (int)k + 1, &best[k], capacity);
  if (!csv) {
    printf("\nBest of each algorithm:\n");
    for (int a = 0; a < PSC_ALGORITHMS; a++) {
      if (!(mask & (1u << a)))
        continue;
      psc_ranked_t r;
      size_t m = 0;
      uint32_t hi = (a >= PSC_A2 && !sizes_given) ? (kmax < 20 ? kmax : 20) : kmax;
      if (!psc_otc_search(1u << a, kmin, hi, p, &acc, &dil, a2m, &r, 1, &m) && m)
        print_row(0, 1, &r, capacity);
    }
  }
  free(best);
  free(all);
  return CLI_OK;
}
