# idle: a big pinned set (textures kept in the GTT) and no writes at all.
# Stock type1 reports every pinned page every round; the truth is zero.
workload idle
seed 1
frames 60
period 16.7
buffer tex0 4M gtt
buffer tex1 4M gtt
buffer tex2 4M gtt
