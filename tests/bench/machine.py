"""What the benchmarks say about the machine while they run."""


class CpuSteal:
    """The share of the machine's CPU time the hypervisor gave to other guests (the "steal" column
    of /proc/stat) between start and now: on a shared VM a busy neighbour slows every figure
    without raising the load average (2026-12-01: a pure-Python loop ran 1.4 to 2.2 s instead of
    0.8 while steal was about 40%). Figures taken with high steal compare only within one run."""

    def __init__(self):
        self.start = self.read()

    @staticmethod
    def read():
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
        return fields[7], sum(fields[:8])  # steal, and user..steal in all

    def share(self):
        steal, total = self.read()
        spent = total - self.start[1]
        return (steal - self.start[0]) / spent if spent else 0.0

    def __str__(self):
        return f"CPU steal {self.share():.0%}"
