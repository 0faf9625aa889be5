"""`make bench`'s cache workload: how many answers an edge cache can give from its copies when
readers come from everywhere, with the cache keyed on the reader's country and region, on the
variant `forewarn export nginx` compiles (the shipped deploy/nginx/forewarn-edge-cache.conf), or
on nothing at all (the ceiling: one copy per URL, no notice for anyone).

The workload: 10,000 article URLs drawn from a Zipf distribution (s = 1: the n-th most read
article is read 1/n as often as the first), readers from 50 countries and occupied Crimea, a
third of them in Russia, Belarus, Crimea and Iran, each with their country's Accept-Language.
Every setup gets the same requests: wrk threads draw them from the same seeds. The caches are
warmed with the first ``warm`` requests (20 per article by default: a cache in service is warm),
then ``measured`` more are counted: the share answered from a copy (nginx's X-Cache-Status HIT)
and requests/s. While wrk runs, readers from every place are sampled and must get exactly their
place's notices. The pages are 16 KB, so that every cache holds every copy it makes (no
eviction): what differs is how many copies each key makes. All on 127.0.0.1.

    python -m bench.cache            # alone; `make bench` runs it inside bench.run
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3

from bench.cache_lab import CacheLab, CacheSetup
from bench.sampling import Background, problem
from tests.integration.servers import find_binary, geo_module

URLS = 10_000
ZIPF_S = 1.0
RESULT_PREFIX = "CACHE-RESULT "
# (country, region, share of readers, Accept-Language, the notices they must get)
RISKY = (("RU", None, 0.18, "ru-RU,ru;q=0.9,en;q=0.8", "ru-undesirable"),
         ("UA", "43", 0.03, "ru-RU,ru;q=0.9,uk;q=0.8", "ru-undesirable"),
         ("BY", None, 0.05, "ru-BY,ru;q=0.9,be;q=0.8", "by-extremist"),
         ("IR", None, 0.0733, "fa-IR,fa;q=0.9,en;q=0.6", "ir-hostile-media"))
OTHERS = ("US", "DE", "UA", "GB", "FR", "PL", "IL", "LT", "LV", "EE", "GE", "KZ", "TR", "FI",
          "CZ", "NL", "CA", "IT", "ES", "SE", "AM", "AZ", "MD", "UZ", "KG", "RS", "AT", "CH",
          "NO", "DK", "BE", "PT", "RO", "BG", "HU", "SK", "IE", "AU", "JP", "KR", "IN", "BR",
          "AE", "TH", "CN", "AR", "SG")
LANGUAGE = {"DE": "de-DE,de;q=0.9,en;q=0.7", "FR": "fr-FR,fr;q=0.9",
            "UA": "uk-UA,uk;q=0.9,ru;q=0.7", "PL": "pl-PL,pl;q=0.9",
            "IL": "he-IL,he;q=0.9,ru;q=0.6", "KZ": "ru-KZ,ru;q=0.9,kk;q=0.8",
            "GE": "ka-GE,ka;q=0.9,ru;q=0.6", "LV": "lv-LV,lv;q=0.9,ru;q=0.8"}


@dataclass(frozen=True)
class Place:
    country: str
    region: str | None
    share: float
    accept_language: str
    notices: str
    network: str  # 10.N: its readers' addresses, in the bench's own geo database


def places() -> tuple[Place, ...]:
    """51 places in 50 countries: the four at risk (a third of all readers: Russia, Crimea,
    Belarus, Iran), and 47 other countries sharing the rest as 1/n."""
    found = [Place(c, r, s, al, n, f"10.{i}") for i, (c, r, s, al, n) in enumerate(RISKY, 1)]
    weights = [1 / n for n in range(1, len(OTHERS) + 1)]
    rest = (1 - sum(p.share for p in found)) / sum(weights)
    for i, (country, weight) in enumerate(zip(OTHERS, weights, strict=True), len(found) + 1):
        found.append(Place(country, None, weight * rest,
                           LANGUAGE.get(country, "en-US,en;q=0.9"), "none", f"10.{i}"))
    return tuple(found)


def networks_csv(found: tuple[Place, ...]) -> str:
    """The bench's geo database as `forewarn geoip build` reads it."""
    rows = ["network,country,region,asn"]
    rows += [f"{p.network}.0.0/16,{p.country},{f'{p.country}-{p.region}' if p.region else ''},"
             for p in found]
    return "\n".join(rows) + "\n"


_SCRIPT = string.Template("""-- written by bench/cache.py
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } forewarn_timeval;
int gettimeofday(forewarn_timeval *tv, void *tz);
]]
local now_tv = ffi.new("forewarn_timeval")
local function now()
  ffi.C.gettimeofday(now_tv, nil)
  return tonumber(now_tv.tv_sec) + tonumber(now_tv.tv_usec) / 1e6
end

local urls, zipf_s, seed, limit = $urls, $zipf_s, $seed, $limit
local places = {$places}
local url_cdf, place_cdf = {}, {}
hits, responses, bad, started, finished = 0, 0, 0, 0, 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

init = function(args)
  math.randomseed(seed * 1000 + id)
  local total = 0
  for n = 1, urls do total = total + 1 / n ^ zipf_s; url_cdf[n] = total end
  for n = 1, urls do url_cdf[n] = url_cdf[n] / total end
  local share = 0
  for n, place in ipairs(places) do share = share + place[2]; place_cdf[n] = share end
end

local function pick(cdf, x)
  local low, high = 1, #cdf
  while low < high do
    local middle = math.floor((low + high) / 2)
    if cdf[middle] < x then low = middle + 1 else high = middle end
  end
  return low
end

request = function()
  if started == 0 then started = now() end
  local url = pick(url_cdf, math.random())
  local place = places[pick(place_cdf, math.random() * place_cdf[#place_cdf])]
  local address = place[1] .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", "/articles/a" .. url,
                    {["X-Forwarded-For"] = address, ["Accept-Language"] = place[3]})
end

response = function(status, headers, body)
  if finished ~= 0 then return end
  responses = responses + 1
  if headers["X-Cache-Status"] == "HIT" then hits = hits + 1 end
  if status ~= 200 then bad = bad + 1 end
  if responses >= limit then
    finished = now()
    -- the harness stops wrk once every thread has left its mark (wrk itself waits out -d)
    local mark = io.open("$marks/" .. id, "w")
    mark:write("done")
    mark:close()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local h, r, b, first, last = 0, 0, 0, nil, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); r = r + thread:get("responses"); b = b + thread:get("bad")
    local s, f = thread:get("started"), thread:get("finished")
    if s > 0 and (first == nil or s < first) then first = s end
    if f == 0 then f = now() end
    if f > last then last = f end
  end
  local e = summary.errors
  io.write(string.format('$prefix{"hits": %d, "responses": %d, "bad": %d, ' ..
    '"seconds": %.6f, "errors": %d, "p50_us": %.1f, "p99_us": %.1f}\\n', h, r, b,
    last - (first or last), e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
""")


def lua_script(found: tuple[Place, ...], seed: int, limit: int, marks: Path) -> str:
    entries = ", ".join(f'{{"{p.network}", {p.share!r}, "{p.accept_language}"}}' for p in found)
    return _SCRIPT.substitute(urls=URLS, zipf_s=ZIPF_S, seed=seed, limit=limit, places=entries,
                              prefix=RESULT_PREFIX, marks=marks)


@dataclass
class Phase:
    requests: int
    hits: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_phase(url: str, found: tuple[Place, ...], seed: int, requests: int, *,
              connections: int, threads: int, seconds: float) -> Phase:
    """``requests`` answers counted (each wrk thread stops after its share; wrk is interrupted
    once all have), at most ``seconds`` long."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk not found (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="forewarn-cache-") as folder:
        marks = Path(folder) / "marks"
        marks.mkdir()
        script = Path(folder) / "cache.lua"
        script.write_text(lua_script(found, seed, max(1, requests // threads), marks))
        with subprocess.Popen([wrk, f"-t{threads}", f"-c{connections}",  # noqa: S603
                               f"-d{int(seconds)}s", "--timeout", "10s", "-s", str(script), url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as run:
            deadline = time.monotonic() + seconds + 30
            while run.poll() is None and time.monotonic() < deadline:
                if len(list(marks.iterdir())) >= threads:
                    run.send_signal(signal.SIGINT)  # wrk then reports, as at the end of -d
                    break
                time.sleep(0.1)
            out, err = run.communicate(timeout=60)
    line = next((x for x in out.splitlines() if x.startswith(RESULT_PREFIX)), None)
    if line is None:
        raise RuntimeError(f"wrk failed on {url}: {out}{err}")
    values = json.loads(line[len(RESULT_PREFIX):])
    return Phase(values["responses"], values["hits"], values["seconds"],
                 values["errors"] + values["bad"], values["p50_us"] / 1000,
                 values["p99_us"] / 1000)


class CacheSampler(Background):
    """While a phase runs, a reader of a random place asks for a random article a few times a
    second; the answer must carry exactly that place's notices (or, for the cache that does not
    vary, be a page)."""

    def __init__(self, setup: CacheSetup, found: tuple[Place, ...]) -> None:
        super().__init__(0.2)
        self.setup, self.found = setup, found
        self._random = random.Random(17)  # noqa: S311 - which reader to sample, not a secret

    def sample_once(self) -> None:
        for place in self.found:
            self._check(place)

    def _check(self, place: Place) -> None:
        path = f"/articles/a{self._random.randint(1, 200)}"
        host = f"{self._random.randint(0, 255)}.{self._random.randint(1, 254)}"
        try:
            response = self._http.request("GET", self.setup.url + path, headers={
                "X-Forwarded-For": f"{place.network}.{host}",
                "Accept-Language": place.accept_language})
            found = problem(self.setup.check, place.notices,  # type: ignore[arg-type]
                            response.status, response.headers.get("X-Forewarn-Notices"),
                            response.data)
        except urllib3.exceptions.HTTPError as error:
            found = f"request failed: {error}"
        self.samples.record(f"{place.country} {place.region or ''}", found)


def measure(lab: CacheLab, *, warm: int, measured: int, connections: int, threads: int,
            seconds: float) -> list[dict[str, Any]]:
    """Each setup, from an empty cache: the warm phase, then the measured one."""
    records = []
    for setup in lab.setups:
        print(f"bench: cache: {setup.name}: {warm:,} requests to warm, {measured:,} measured",
              flush=True)
        found = places()
        with CacheSampler(setup, found) as sampler:
            cold = run_phase(setup.url, found, 1, warm, connections=connections,
                             threads=threads, seconds=seconds)
            phase = run_phase(setup.url, found, 2, measured, connections=connections,
                              threads=threads, seconds=seconds)
        records.append({
            "name": setup.name, "title": setup.title, "check": setup.check,
            "warm_requests": cold.requests, "warm_hit_ratio": round(cold.hit_ratio, 4),
            "requests": phase.requests, "hit_ratio": round(phase.hit_ratio, 4),
            "rps": round(phase.rps, 1), "p50_ms": phase.p50_ms, "p99_ms": phase.p99_ms,
            "errors": cold.errors + phase.errors, "samples": sampler.samples.total,
            "wrong": sampler.samples.wrong, "examples": sampler.samples.examples})
    return records


def main() -> int:
    environ = os.environ
    if find_binary("nginx") is None or geo_module() is None or shutil.which("wrk") is None:
        print("bench.cache: needs nginx, libnginx-mod-http-geoip2 and wrk", file=sys.stderr)
        return 1
    started = time.monotonic()
    with CacheLab(networks_csv(places())) as lab:
        records = measure(lab, warm=int(environ.get("BENCH_CACHE_WARM", "200000")),
                          measured=int(environ.get("BENCH_CACHE_REQUESTS", "100000")),
                          connections=32, threads=2, seconds=240)
    print(json.dumps(records, indent=2))
    print(f"bench.cache: {(time.monotonic() - started) / 60:.1f} min")
    return 1 if any(r["wrong"] or r["errors"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
