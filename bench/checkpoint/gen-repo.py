#!/usr/bin/env python3
"""Generates the benchmark repository: N files (default 30,000) of ~10 KiB text (~300 MB),
committed once, then an 'iteration' mutator that dirties it like an agent would:
1% of files modified, 200 new files, 20 deleted.

    gen-repo.py init DIR [--files N]
    gen-repo.py dirty DIR SEED
"""
import os, random, subprocess, sys

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
         "sigma tau upsilon phi chi psi omega return value function class import module test").split()

def text(rng, size):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(12)) + f" {rng.randrange(1 << 30)}\n"
        out.append(line); n += len(line)
    return "".join(out)

def path_for(i):
    return os.path.join(f"pkg{i % 100:02d}", f"sub{(i // 100) % 30:02d}", f"file{i:05d}.txt")

def init(d, files):
    rng = random.Random(42)
    os.makedirs(d, exist_ok=True)
    for i in range(files):
        p = os.path.join(d, path_for(i))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text(rng, 10_000))
    with open(os.path.join(d, ".gitignore"), "w") as f:
        f.write("*.log\nbuild/\n")
    g = ["git", "-C", d, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(g[:3] + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(g + ["add", "-A"], check=True)
    subprocess.run(g + ["commit", "-q", "-m", "bench base"], check=True)

def dirty(d, seed):
    rng = random.Random(seed)
    tracked = subprocess.run(["git", "-C", d, "ls-files", "-z"], check=True, capture_output=True).stdout.split(b"\0")
    tracked = [t.decode() for t in tracked if t and not t.endswith(b".gitignore")]
    present = [t for t in tracked if os.path.exists(os.path.join(d, t))]
    n = len(tracked)
    for t in rng.sample(present, max(1, n // 100)):
        with open(os.path.join(d, t), "a") as f:
            f.write(f"edit {seed} {rng.random()}\n")
    for t in rng.sample(present, 20):
        p = os.path.join(d, t)
        if os.path.exists(p):
            os.remove(p)
    for k in range(200):
        p = os.path.join(d, "new", f"iter{seed}", f"n{k:03d}.txt")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text(rng, 4_000))

if __name__ == "__main__":
    if sys.argv[1] == "init":
        files = int(sys.argv[sys.argv.index("--files") + 1]) if "--files" in sys.argv else 30_000
        init(sys.argv[2], files)
    elif sys.argv[1] == "dirty":
        dirty(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
