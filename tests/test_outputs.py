#!/usr/bin/python3
"""Every output of poolscreen read in a few lines with Debian's python3-h5py
and python3-pandas, as a user would (docs/output.md).

Usage: test_outputs.py POOLSCREEN TESTDATA
Exit 77 (ctest: skipped) with a message only when h5py or pandas cannot be
imported; scripts/deps.sh installs both.
"""
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import numpy as np
    import pandas as pd
except ImportError as e:  # pragma: no cover
    print(f"SKIPPED: {e} (install python3-h5py and python3-pandas: scripts/deps.sh)")
    sys.exit(77)

cli, data = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="psc_py_")


def run(*args):
    subprocess.run([cli, *args], check=True, stdout=subprocess.DEVNULL)


def frame(group):
    """A plan.h5 group as a DataFrame, strings as str, enums as names (the
    CSR columns site_schedule/tube_first and tube_list, of other lengths,
    are left out)."""
    cols = {}
    for k, d in group.items():
        if k in ("tube_first", "tube_list"):
            continue
        if d.dtype.kind == "S":
            cols[k] = d.asstr()[:]
        elif h5py.check_enum_dtype(d.dtype):
            names = {v: n for n, v in h5py.check_enum_dtype(d.dtype).items()}
            cols[k] = pd.Categorical([names[v] for v in d[:]])
        else:
            cols[k] = d[:]
    return pd.DataFrame(cols)


# ---- plan: the default scenario (Chinese names) and its CSVs -------------
out = os.path.join(tmp, "plan")
run("plan", "-o", out)
with h5py.File(os.path.join(out, "plan.h5")) as f:
    assert f.attrs["format"] == "poolscreen plan", f.attrs["format"]
    ident = f.attrs["plan_identity"]
    assert isinstance(ident, str) and len(ident) == 16, ident
    assert isinstance(f.attrs["scenario.name"], str)
    assert f.attrs["scenario.start"] == "2022-05-01 06:00"
    # the default's partner at T0 and the end its labs were aligned to
    assert f.attrs["partner_street"] == "Gucheng", f.attrs["partner_street"]
    assert f.attrs["margin_hours"] == 2.0 and f.attrs["align_end_min"] > 0
    tubes = frame(f["tubes"])
    residents = frame(f["residents"])
    communities = frame(f["communities"])
    assert set(tubes["stream"].unique()) <= {"walk_in", "high_risk", "door_to_door"}
    assert communities["name"].str.contains("八宝山").any()
    assert f["tubes/reported"].attrs["units"] == "minutes after T0"
    assert (residents["tube"] < len(tubes)).all()
    # every resident in a tube or on the exception list
    assert ((residents["tube"] >= 0) | (residents["exception"] != "none")).all()
    for g in ("households", "streets", "district", "sites", "labs", "site_schedule", "lab_runs"):
        assert len(frame(f[g])) > 0, g
    # dimension scales: each table's id column names the rows of its columns
    for g, scale, label in (("residents", "id", "resident"), ("households", "id", "household"),
                            ("tubes", "id", "tube"), ("communities", "id", "community"),
                            ("streets", "name", "street"), ("sites", "id", "site"),
                            ("labs", "id", "lab")):
        for k, d in f[g].items():
            if k == scale:
                continue
            assert d.dims[0].label == label, (g, k)
            assert d.dims[0][0].name == f"/{g}/{scale}", (g, k, d.dims[0][0].name)
    lab = f["tubes/lab"]
    assert (lab.dims[0][0].asstr()[:] == tubes["id"]).all()
    assert f["communities/complete_min"].dims[0][0].asstr()[:].tolist() == communities["id"].tolist()

summary = pd.read_csv(os.path.join(out, "summary.csv"))
assert list(summary.columns[:10]) == ["level", "id", "residents", "tubes", "sampling_start_min",
                                      "sampling_end_min", "complete_min", "deadline_min", "met",
                                      "slack_min"]
district = summary[summary.level == "district"].iloc[0]
assert district.residents == len(residents)
t0 = pd.Timestamp("2022-05-01 06:00")
# complete_min is written to hundredths of a minute, complete_at to the second:
# the two agree within the rounding of both (0.3 s + 0.5 s)
at = t0 + pd.Timedelta(minutes=float(district.complete_min))
assert abs((pd.Timestamp(district.complete_at) - at).total_seconds()) <= 0.8 + 1e-9
tubes_csv = pd.read_csv(os.path.join(out, "tubes.csv"), dtype={"tube": str})
assign = pd.read_csv(os.path.join(out, "assignment.csv"), dtype=str)
assert len(tubes_csv) == len(tubes)
assert (tubes_csv["tube"] == tubes["id"]).all()
assert tubes_csv["tube"].str.startswith("220501" + "%04d" % (int(ident, 16) % 10000)).all()
manifest = assign.merge(tubes_csv, on="tube")  # the joined view (docs/output.md)
assert len(manifest) == len(assign) == int(tubes_csv["swabs"].sum())
pd.to_datetime(tubes_csv["reported_at"])
schedule = pd.read_csv(os.path.join(out, "site_schedule.csv"))
pd.to_datetime(schedule["start_at"])
exceptions = pd.read_csv(os.path.join(out, "exceptions.csv"))
assert len(assign["resident"].unique()) + len(exceptions) == len(residents)

# ---- decode round 1 of the tiny plan -----------------------------------
tiny = os.path.join(tmp, "tiny")
run("plan", os.path.join(data, "tiny", "scenario.ini"), "-o", tiny)
t = pd.read_csv(os.path.join(tiny, "tubes.csv"), dtype={"tube": str})
res = pd.DataFrame({"tube": t["tube"], "result": ["positive"] + ["negative"] * (len(t) - 1)})
res.to_csv(os.path.join(tmp, "results.csv"), index=False)
dec = os.path.join(tmp, "decode")
said = subprocess.run([cli, "decode", os.path.join(tiny, "plan.h5"), os.path.join(tmp, "results.csv"),
                       "-o", dec], check=True, capture_output=True, text=True).stdout
# the terminal gives the local clock time beside T+ (T0 2022-05-01 06:00)
import re
m = re.search(r"District complete: T\+(\d+):(\d\d) \((\d\d-\d\d \d\d:\d\d)\) before", said)
assert m, said
at = pd.Timestamp("2022-05-01 06:00") + pd.Timedelta(hours=int(m[1]), minutes=int(m[2]))
assert at.strftime("%m-%d %H:%M") == m[3], (m[0], at)
for name in ("control.csv", "retests.csv", "rerun.csv", "pending.csv"):
    pd.read_csv(os.path.join(dec, name))
rt = pd.read_csv(os.path.join(dec, "retests.csv"))
assert (pd.to_datetime(rt["result_at"]) ==
        pd.Timestamp("2022-05-01 06:00") + pd.to_timedelta((rt["result_min"] * 60).round(), unit="s")).all()
with h5py.File(os.path.join(dec, "decode.h5")) as f:
    assert len(f.attrs["plan_identity"]) == 16
    assert len(f["decode/retests/resident"][:]) == int(t["swabs"].iloc[0])
    retest_ids = f["decode/retests/tube"].asstr()[:]
    assert (f["decode/retests/resident"].dims[0][0].asstr()[:] == retest_ids).all()
    # the tiny plan is copied into decode.h5: decode's arrays are named by its ids
    assert f["decode/tube_result"].dims[0][0].name == "/tubes/id"
    assert f["decode/street_complete_min"].dims[0].label == "street"

# ---- simulate ------------------------------------------------------------
sim = os.path.join(tmp, "sim")
run("simulate", os.path.join(data, "tiny", "scenario.ini"), "--replicates", "5", "-o", sim)
with h5py.File(os.path.join(sim, "sim.h5")) as f:
    m = f["replicates/street_complete"]
    streets = f[m.attrs["columns"]].asstr()[:]
    df = pd.DataFrame(m[:], columns=streets)
    assert df.shape == (5, len(streets)) and m.attrs["units"] == "minutes after T0"
    assert isinstance(f.attrs["scenario_name"], str) and len(f.attrs["plan_identity"]) == 16
    # dimension scales: replicates name the rows, street names the columns
    assert m.dims[0].label == "replicate" and list(m.dims[0][0][:]) == list(range(5))
    assert m.dims[1].label == "street" and list(m.dims[1][0].asstr()[:]) == list(streets)
    k = f["replicates/key_complete"]
    assert k.dims[1][0].name == "/labels/key_communities"
    assert k.dims[1][1].name == "/labels/key_community_names"
    assert (f["key_communities"].dims[0][0].asstr()[:] == k.dims[1][0].asstr()[:]).all()
    assert f["replicates/found"].dims[0][0].name == "/labels/replicate"
ss = pd.read_csv(os.path.join(sim, "sim_summary.csv"))
pd.to_datetime(ss["complete_p50_at"].dropna())

# ---- batch -----------------------------------------------------------------
bf = os.path.join(tmp, "b.ini")
with open(bf, "w") as fh:
    fh.write(f"[batch]\nscenario = {os.path.join(data, 'tiny', 'scenario.ini')}\n\n"
             "[variant pool 5]\npooling.pool_size = 5\n")
bo = os.path.join(tmp, "batch")
run("batch", bf, "-o", bo, "--no-report")
with h5py.File(os.path.join(bo, "batch.h5")) as f:
    m = f["verdicts/complete_min"]
    names = f["variants/name"].asstr()[:]
    assert m.dims[0].label == "variant" and (m.dims[0][0].asstr()[:] == names).all()
    assert m.dims[1].label == "unit" and (m.dims[1][0].asstr()[:] == f["units/id"].asstr()[:]).all()
    verdicts = pd.DataFrame(m[:], index=m.dims[0][0].asstr()[:], columns=m.dims[1][0].asstr()[:])
    assert verdicts.shape == (len(names), len(f["units/id"]))
    assert f["variants/gap_min"].dims[0][0].name == "/variants/name"

subprocess.run(["rm", "-rf", tmp], check=True)
print("every output read with h5py", h5py.__version__, "and pandas", pd.__version__)
