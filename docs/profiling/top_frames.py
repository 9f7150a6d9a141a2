#!/usr/bin/env python3
"""Top self-time frames of a JFR recording's execution samples.

Usage: jfr print --events jdk.ExecutionSample REC.jfr | top_frames.py [--from HH:MM:SS] [--to HH:MM:SS]
           [--thread SUBSTRING] [--top N] [--depth D]

Counts, over the samples inside the window, the top frame of each stack (self time), the threads sampled and,
with --depth D > 1, the first frame of our own code (io.bronzecdc) within the top D frames.
"""
import argparse
import collections
import re
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--from", dest="start")
parser.add_argument("--to", dest="end")
parser.add_argument("--thread")
parser.add_argument("--top", type=int, default=15)
parser.add_argument("--depth", type=int, default=1)
args = parser.parse_args()

frames = collections.Counter()
ours = collections.Counter()
threads = collections.Counter()
total = 0
sample = None


def finish(s):
    global total
    if s is None or not s["stack"]:
        return
    t = s["time"]
    if args.start and t < args.start or args.end and t > args.end:
        return
    if args.thread and args.thread not in s["thread"]:
        return
    total += 1
    frames[s["stack"][0]] += 1
    threads[re.sub(r"\d+", "#", s["thread"])] += 1
    if args.depth > 1:
        own = next((f for f in s["stack"][:args.depth] if f.startswith("io.bronzecdc")), None)
        ours[own or "(none of ours in the top %d)" % args.depth] += 1


in_stack = False
for line in sys.stdin:
    line = line.strip()
    if line.startswith("jdk.ExecutionSample"):
        finish(sample)
        sample = {"time": "", "thread": "", "stack": []}
        in_stack = False
    elif sample is None:
        continue
    elif line.startswith("startTime ="):
        sample["time"] = line.split("=", 1)[1].strip().split(" ")[0]
    elif line.startswith("sampledThread ="):
        sample["thread"] = line.split("=", 1)[1].strip().split(" (")[0].strip('"')
    elif line.startswith("stackTrace = ["):
        in_stack = True
    elif in_stack and line.startswith("]"):
        in_stack = False
    elif in_stack and line and line != "...":
        sample["stack"].append(re.sub(r"\s+line:.*$", "", line))
finish(sample)

print("samples: %d" % total)
if total:
    print("\ntop self-time frames:")
    for frame, n in frames.most_common(args.top):
        print("%6.1f%%  %s" % (100.0 * n / total, frame))
    print("\nthreads:")
    for thread, n in threads.most_common(8):
        print("%6.1f%%  %s" % (100.0 * n / total, thread))
    if args.depth > 1:
        print("\nfirst io.bronzecdc frame within the top %d:" % args.depth)
        for frame, n in ours.most_common(args.top):
            print("%6.1f%%  %s" % (100.0 * n / total, frame))
