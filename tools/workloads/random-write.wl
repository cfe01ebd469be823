# random-write: the worst case for any tracker: scattered single pages
# all over a large pinned heap, plus scattered inline writes.
workload random-write
seed 5
frames 60
period 16.7
buffer heap    12M  gtt
buffer fence   4K   gtt
step fill  dst=heap frac=0.05 at=rand pattern=0xdeadbeef
step write dst=heap count=64
step fence dst=fence
