#!/usr/bin/env python3
"""Builds captures/sample: the bundled sample set the README's first command analyses.

It merges the captures of a few lab scenarios point by point (mergecap keeps packets in time
order) and joins their truth, so one `rstscope analyze --dir deploy/lab/captures/sample` shows a
refused connection, a firewall reject, an out-of-band injection racing the SYN/ACK and a TLS
block with its collateral reset. Run after run-lab.sh; needs mergecap (wireshark-common).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "captures")
SCENARIOS = ["port_closed", "firewall_reject", "bypass_block", "tls_block"]


def main():
    out_dir = os.path.join(CAPTURES, "sample")
    os.makedirs(out_dir, exist_ok=True)
    truths = [json.load(open(os.path.join(CAPTURES, s, "truth.json"))) for s in SCENARIOS]
    path = truths[0]["path"]
    for t in truths:
        if t["path"] != path or t.get("clockOffsetsMicros"):
            sys.exit("make-sample: %s has another path or shifted clocks; cannot merge" % t["scenario"])
    for point in path:
        inputs = [os.path.join(CAPTURES, s, point + ".pcap") for s in SCENARIOS]
        subprocess.run(["mergecap", "-F", "pcap", "-w", os.path.join(out_dir, point + ".pcap")] + inputs, check=True)
    rsts = [r for t in truths for r in t["rsts"]]
    merged = {
        "scenario": "sample",
        "description": "Bundled sample: " + "; ".join(t["scenario"] + ": " + t["description"] for t in truths),
        "path": path,
        "points": truths[0]["points"],
        "clockOffsetsMicros": {},
        "rsts": rsts,
    }
    seen = {}
    for t in truths:
        for flow in {(r["flow"]["client"], r["flow"]["server"]) for r in t["rsts"]}:
            if seen.setdefault(flow, t["scenario"]) != t["scenario"]:
                sys.exit("make-sample: %s and %s share the flow %s; pick scenarios with distinct client ports"
                         % (seen[flow], t["scenario"], flow))
    with open(os.path.join(out_dir, "truth.json"), "w") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")
    print("sample: %d RSTs from %s" % (len(rsts), ", ".join(SCENARIOS)))


if __name__ == "__main__":
    main()
