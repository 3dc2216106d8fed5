"""Study files are data: the corpus of malformed and hostile study files (tests/studies/malformed/)
is refused, each with its exact located error, by `study validate` and `study run` alike, before
anything is created; and nothing from a study file that is accepted reaches a shell unquoted: the
SLURM job script (bash reads it, sbatch reads its #SBATCH lines), the command lines of runs, and
the package's code (no shell at all).

Each corpus file ends with '# expect: {file}:line:column: key: message' ({dir}: its folder)."""

import ast
import glob
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clitest import ARGS, check, dltsim, done, workdir  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "malformed")
PACKAGE = os.path.join(os.path.dirname(os.path.abspath(ARGS.dltsim)), "python")
QUICK = os.path.abspath(os.path.join(ARGS.scenarios, "quickstart.yaml"))
d = workdir()

# 1. The corpus: every file refused with its exact error, by validate and run, nothing created.
files = sorted(glob.glob(os.path.join(CORPUS, "*.yaml")))
check(len(files) >= 45, f"the corpus holds {len(files)} malformed study files")
for path in files:
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        last = f.read().rstrip("\n").splitlines()[-1]
    if not last.startswith("# expect: "):
        check(False, f"{name}: its last line is '# expect: ...'")
        continue
    expected = "dltsim: error: " + last.removeprefix("# expect: ").replace("{file}", path).replace("{dir}", CORPUS) + "\n"
    r = dltsim("study", "validate", path, check=False)
    check(r.returncode == 2 and r.stderr == expected,
          f"{name}: validate: {'as expected' if r.stderr == expected else repr(r.stderr[:300])} (exit {r.returncode})")
    out = os.path.join(d, "out-" + name)
    r = dltsim("study", "run", path, "--output", out, "--no-progress", check=False)
    check(r.returncode == 2 and r.stderr == expected and not os.path.exists(out),
          f"{name}: run: {'as expected, nothing created' if r.stderr == expected else repr(r.stderr[:300])}")
check(not os.path.exists(os.path.join(CORPUS, "owned")) and not os.path.exists("owned"), "no file named 'owned' appeared")

# The limit on runs is the command's to lift, not the file's.
big = os.path.join(CORPUS, "replications-over-limit.yaml")
r = dltsim("study", "validate", big, "--max-runs", "40000", check=False)
check(r.returncode == 0 and "2 point(s) x 20000 replication(s) = 40000 run(s)" in r.stdout,
      f"--max-runs 40000 lifts the limit: {r.stdout.splitlines()[0] if r.stdout else r.stderr.strip()}")

# Python raises the same located StudyError.
code = f"""
import dltsim
try:
    dltsim.study({os.path.join(CORPUS, 'slurm-newline.yaml')!r}, output={os.path.join(d, 'py-out')!r})
except dltsim.StudyError as e:
    print(e.line, e.column, e.key_path)
"""
env = dict(os.environ, PYTHONPATH=PACKAGE)
r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
check(r.stdout.strip() == "3 14 slurm.partition", f"Python: StudyError at 3:14 slurm.partition ({r.stdout.strip()} {r.stderr[-200:]})")

# 2. No shell in the package: every process is started from an argument list.
sources = glob.glob(os.path.join(ROOT, "python", "dltsim", "*.py"))
shelly = []
for src in sources:
    tree = ast.parse(open(src, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = ast.unparse(node.func)
            if fn in ("os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"):
                shelly.append(f"{os.path.basename(src)}:{node.lineno}: {fn}")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    shelly.append(f"{os.path.basename(src)}:{node.lineno}: shell=")
check(len(sources) > 10 and not shelly, f"no shell in python/dltsim ({len(sources)} files): {shelly}")

# 3. A job script from accepted values that a shell would act on: they stay on #SBATCH lines, quoted,
# and the paths bash sees are single tokens.
tricky = "x; $(touch owned) `touch owned` 'q' & | > < * ? ~ # {a,b}"
study_path = os.path.join(d, "tricky.yaml")
with open(study_path, "w") as f:
    f.write(f"""study: a.b-c_1
base: {QUICK}
set: {{network.nodes: 60, general.stop.blocks: 2}}
slurm:
  comment: "{tricky}"
  time: "00:10:00"
  mail_type: "END,FAIL"
  exclusive: true
""")
out = os.path.join(d, "out dir; $(touch owned) 'x'")
fake = os.path.join(d, "fake-sbatch")
with open(fake, "w") as f:  # records the script and its own argv, prints a job id
    f.write(f"#!/bin/bash\nprintf '%s\\n' \"$@\" > {shlex.quote(os.path.join(d, 'sbatch-argv'))}\n"
            f"cp \"${{@: -1}}\" {shlex.quote(os.path.join(d, 'job.sh'))}\necho 77\n")
os.chmod(fake, 0o755)
r = dltsim("study", "run", study_path, "--output", out, "--slurm", "--sbatch", fake,
           "--sbatch-option", "partition=debug", "--sbatch-option", "requeue", check=False)
check(r.returncode == 0 and "submitted job array 77" in r.stdout, f"submitted through a recording sbatch: {r.stdout.strip()} {r.stderr.strip()}")
script = open(os.path.join(d, "job.sh"), encoding="utf-8").read().splitlines()
sbatch_lines = [line for line in script if line.startswith("#SBATCH")]
check(f'#SBATCH --comment="{tricky}"' in sbatch_lines and '#SBATCH --exclusive' in sbatch_lines
      and '#SBATCH --partition="debug"' in sbatch_lines and '#SBATCH --requeue' in sbatch_lines
      and '#SBATCH --mail-type="END,FAIL"' in sbatch_lines,
      f"options are quoted #SBATCH lines: {sbatch_lines}")
bash_lines = [line for line in script if not line.startswith("#")]
whole = all(t.startswith(out) for line in bash_lines if "owned" in line for t in shlex.split(line) if "owned" in t)
check(all(tricky not in line for line in bash_lines) and whole,
      "no study value on a line bash executes; the output path is one token wherever it appears")
exec_line = next(line for line in bash_lines if line.startswith("exec "))
tokens = shlex.split(exec_line)
check(tokens[5].startswith(os.path.join(out, "slurm", "tasks-")) and tokens[6:8] == ["--task", "$SLURM_ARRAY_TASK_ID"],
      f"the task list's path is one token for bash: {tokens[5]!r}")
r = subprocess.run(["bash", "-n", os.path.join(d, "job.sh")], capture_output=True, text=True)
check(r.returncode == 0, f"bash -n accepts the script {r.stderr.strip()}")
check(not os.path.exists(os.path.join(d, "owned")) and not os.path.exists("owned"), "nothing named 'owned' was created")

# 4. The command lines of runs: argument lists, every study path one element.
code = f"""
import subprocess, dltsim, dltsim.study_run as sr
seen = []
real = subprocess.Popen
class Recording(real):
    def __init__(self, args, *a, **k):
        seen.append((args, k.get("shell", False)))
        super().__init__(args, *a, **k)
sr.subprocess.Popen = Recording
s = dltsim.study({study_path!r}, output={out!r}, progress=False)
seen = [(a, shell) for a, shell in seen if shell or (isinstance(a, list) and a[1:2] == ["run"])]  # not uname
assert seen and all(isinstance(a, list) and not shell for a, shell in seen), seen
assert all(any(x.startswith({out!r} + "/runs/") for x in a) for a, _ in seen), seen
print(len(seen), (s.runs.status == "ok").all())
"""
r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True, env=env)
check(r.returncode == 0 and r.stdout.split() == ["1", "True"], f"runs start from argument lists with whole paths: {r.stdout.strip()} {r.stderr[-300:]}")
check(not os.path.exists(os.path.join(d, "owned")), "still nothing named 'owned'")
done()
