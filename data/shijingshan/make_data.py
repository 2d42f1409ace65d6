#!/usr/bin/env python3
"""Writes the synthetic tables of the Shijingshan default scenario.

Run from this folder: python3 make_data.py. The output is deterministic (fixed
seed); the CSVs are committed, so the build never runs this script. What is
real and what is synthetic is explained in README.md beside it.
"""
import math
import random

rng = random.Random(20220501)

# street: (statistical code, Chinese name, English, population, communities, centre x/y km)
STREETS = [
    ("110107001", "八宝山街道", "Babaoshan", 58000, 15, (10.5, 2.0)),
    ("110107002", "老山街道", "Laoshan", 53000, 14, (8.5, 1.5)),
    ("110107003", "八角街道", "Bajiao", 110000, 28, (8.8, 4.2)),
    ("110107004", "古城街道", "Gucheng", 82000, 21, (7.0, 6.0)),
    ("110107005", "苹果园街道", "Pingguoyuan", 88000, 23, (5.0, 5.8)),
    ("110107006", "金顶街街道", "Jindingjie", 41000, 11, (4.6, 8.0)),
    ("110107009", "广宁街道", "Guangning", 21000, 7, (2.0, 7.0)),
    ("110107010", "五里坨街道", "Wulituo", 28851, 9, (1.2, 10.0)),
    ("110107011", "鲁谷街道", "Lugu", 86000, 22, (11.5, 4.0)),
]
assert sum(s[3] for s in STREETS) == 567851
assert sum(s[4] for s in STREETS) == 150

# 22 close contacts and 185 secondary contacts, all in key communities
HIGH_RISK = [22, 60, 45, 40, 25, 15]


def split(total, parts):
    w = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    raw = [total * x / sum(w) for x in w]
    out = [int(x) for x in raw]
    for i in range(total - sum(out)):
        out[i % parts] += 1
    return out


communities = []
for code, zh, en, pop, n, (cx, cy) in STREETS:
    pops = split(pop, n)
    for k, p in enumerate(pops, 1):
        hh = round(p / rng.uniform(2.2, 2.5))
        hh = max(math.ceil(p / 20), min(p, hh))
        d2d = round(p * rng.uniform(0.008, 0.016))
        ang, r = rng.uniform(0, 2 * math.pi), rng.uniform(0.1, 1.6)
        communities.append(dict(
            id=f"{code}{k:03d}", street=en, name=f"{zh}{k}号社区", population=p,
            households=hh, key=0, door_to_door=d2d, high_risk=0,
            x_km=round(cx + r * math.cos(ang), 2), y_km=round(cy + r * math.sin(ang), 2)))

# key communities: 12 in the two streets where the cluster was found (Lugu and
# Babaoshan: 8 and 4); the contacts live in six of them. Only these two
# streets' clocks start at T0; the planner opens the others in waves.
key_ids = [f"110107011{k:03d}" for k in range(1, 9)] + [f"110107001{k:03d}" for k in range(1, 5)]
for c in communities:
    if c["id"] in key_ids:
        c["key"] = 1
for c, hr in zip([c for c in communities if c["key"]][:len(HIGH_RISK)], HIGH_RISK):
    c["high_risk"] = hr

with open("communities.csv", "w", encoding="utf-8", newline="\n") as f:
    cols = ["id", "street", "name", "population", "households", "key", "door_to_door",
            "high_risk", "x_km", "y_km"]
    f.write(",".join(cols) + "\n")
    for c in communities:
        f.write(",".join(str(c[k]) for k in cols) + "\n")

# sites: "2+N" per street: 2 fixed, N community points (one per two communities),
# one temporary point per 40 000 residents, and the street's door-to-door teams
with open("sites.csv", "w", encoding="utf-8", newline="\n") as f:
    f.write("id,street,kind,booths,swabs_per_booth_hour,open,close,x_km,y_km\n")
    for code, zh, en, pop, n, (cx, cy) in STREETS:
        mine = [c for c in communities if c["street"] == en]
        f.write(f"{code}-F1,{en},fixed,8,100,00:00,24:00,{cx:.2f},{cy:.2f}\n")
        f.write(f"{code}-F2,{en},fixed,6,100,06:00,24:00,{cx + 0.4:.2f},{cy - 0.3:.2f}\n")
        for j, c in enumerate(mine[::2], 1):
            f.write(f"{code}-C{j:02d},{en},community,6,100,07:00,21:00,"
                    f"{c['x_km']:.2f},{c['y_km']:.2f}\n")
        for j in range(1, max(1, round(pop / 40000)) + 1):
            f.write(f"{code}-T{j},{en},temporary,8,100,06:00,22:00,"
                    f"{cx - 0.3 * j:.2f},{cy + 0.2 * j:.2f}\n")
        d2d = sum(c["door_to_door"] for c in mine)
        teams = math.ceil(d2d / 80)
        f.write(f"{code}-D,{en},door_to_door,{teams},10,08:00,20:00,{cx:.2f},{cy:.2f}\n")

# labs: 30 000 tubes a day in all. 384-well lines: 375 usable wells, 288-minute
# runs (5 a day); 96-well lines: 90 usable wells, 216-minute runs.
LABS = [
    ("L01", "石景山医院", 2, 375, 288, (9.6, 3.4)),
    ("L02", "北京大学首钢医院", 2, 375, 288, (5.8, 7.2)),
    ("L03", "北京朝阳医院京西院区", 2, 375, 288, (7.4, 2.6)),
    ("L04", "石景山区疾病预防控制中心", 2, 375, 288, (10.8, 3.6)),
    ("L05", "石景山区中医医院", 5, 90, 216, (8.0, 5.0)),
    ("L06", "石景山区妇幼保健院", 5, 90, 216, (6.6, 4.8)),
    ("L07", "第三方检测实验室一", 4, 90, 216, (11.8, 2.2)),
    ("L08", "第三方检测实验室二", 4, 90, 216, (4.0, 6.6)),
    ("L09", "第三方检测实验室三", 4, 90, 216, (12.4, 5.4)),
    ("L10", "方舱实验室", 3, 90, 216, (3.0, 8.8)),
]
assert sum(i * w * 1440 / r for _, _, i, w, r, _ in LABS) == 30000
with open("labs.csv", "w", encoding="utf-8", newline="\n") as f:
    f.write("id,name,instruments,wells_per_run,run_minutes,open,close,x_km,y_km\n")
    for lid, name, i, w, r, (x, y) in LABS:
        f.write(f"{lid},{name},{i},{w},{r},00:00,24:00,{x},{y}\n")
