;; The WebAssembly SIMD (f64x2) kernels behind exercises/lib/matrix.ts (driven by wasm.ts).
;; Rebuild kernels.wasm and wasmBinary.ts after editing: `npm run build:wasm`.
;;
;; Every matrix is row-major f64 at a byte offset into the shared memory; wasm.ts copies operands
;; in and results out. Every sum adds its terms in increasing index order, starting from +0,
;; exactly like the naive loops of js.ts: SIMD lanes always hold DIFFERENT output elements, never
;; two terms of one sum, so results are bit-for-bit those of the JS path. exp and log are ports of
;; fdlibm's e_exp.c / e_log.c as V8 compiles them for Math.exp / Math.log, evaluated on both lanes
;; without branches, so they match Math.exp and Math.log bit for bit too (test/kernels.test.ts).
(module
  ;; Shared, so that the worker thread (threads.ts) runs the same kernels on the same memory.
  (import "env" "memory" (memory 1 65536 shared))

  ;; ------------------------------------------------------------------------------------------
  ;; Products. The row kernels sum 13 columns of C at a time in registers (6 f64x2 and one f64):
  ;; a pass may read up to 12 values past the end of B (wasm.ts pads every block by 128 bytes)
  ;; and stores only its own columns (the last pass goes through 104 bytes at $tmp).

  ;; 1 when every one of the `len` values at $p is finite, else 0. x*0 is 0 for a finite x and
  ;; NaN for ±Infinity or NaN, so the sum of x*0 is 0 exactly when all are finite.
  (func (export "all_finite") (param $p i32) (param $len i32) (result i32)
    (local $end i32) (local $acc v128) (local $s f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (v128.load align=8 (local.get $p)) (v128.const f64x2 0 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (local.set $s (f64.add (local.get $s) (f64.mul (f64.load (local.get $p)) (f64.const 0))))))
    (f64.eq (local.get $s) (local.get $s)))

  ;; The non-zeros of the rows i in [i0, i1) of A (r×c at $a), compressed: row i's entries are
  ;; [rows[2i], rows[2i+1]) (i32 indices into colIdx and vals, written at $rows), colIdx (i32)
  ;; their columns in increasing order and vals (f64) their values; -0 counts as a zero. Row i0's
  ;; entries start at index i0·c (room for a dense block), so that ranges of rows can be listed
  ;; by the two threads at once. Two values are tested at once: runs of zeros (the blank image
  ;; borders) are cheap.
  (func $csr_build (export "csr_build") (param $a i32) (param $c i32)
    (param $rows i32) (param $colIdx i32) (param $vals i32) (param $i0 i32) (param $i1 i32)
    (local $i i32) (local $j i32) (local $p i32) (local $ip i32) (local $vp i32) (local $pairs i32)
    (local $v v128) (local $x f64) (local $keep i32) (local $e i32)
    (local.set $pairs (i32.and (local.get $c) (i32.const -2)))
    (local.set $e (i32.mul (local.get $i0) (local.get $c)))
    (local.set $ip (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2))))
    (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 3))))
    (local.set $p (i32.add (local.get $a) (i32.shl (local.get $e) (i32.const 3))))
    (local.set $i (local.get $i0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $i) (local.get $i1)))
      (i32.store (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))
        (i32.shr_u (i32.sub (local.get $ip) (local.get $colIdx)) (i32.const 2)))
      (local.set $j (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $pairs)))
        (local.set $v (v128.load align=8 (local.get $p)))
        (if (v128.any_true (f64x2.ne (local.get $v) (v128.const f64x2 0 0)))
          (then
            ;; Branch-free per lane: the slot is always written, the pointers advance when kept.
            (local.set $x (f64x2.extract_lane 0 (local.get $v)))
            (i32.store (local.get $ip) (local.get $j))
            (f64.store (local.get $vp) (local.get $x))
            (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
            (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))
            (local.set $x (f64x2.extract_lane 1 (local.get $v)))
            (i32.store (local.get $ip) (i32.add (local.get $j) (i32.const 1)))
            (f64.store (local.get $vp) (local.get $x))
            (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
            (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $jl)))
      (if (i32.lt_u (local.get $j) (local.get $c))
        (then
          (local.set $x (f64.load (local.get $p)))
          (i32.store (local.get $ip) (local.get $j))
          (f64.store (local.get $vp) (local.get $x))
          (local.set $keep (f64.ne (local.get $x) (f64.const 0)))
          (local.set $ip (i32.add (local.get $ip) (i32.shl (local.get $keep) (i32.const 2))))
          (local.set $vp (i32.add (local.get $vp) (i32.shl (local.get $keep) (i32.const 3))))
          (local.set $p (i32.add (local.get $p) (i32.const 8)))))
      (i32.store offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))
        (i32.shr_u (i32.sub (local.get $ip) (local.get $colIdx)) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rl))))

  ;; C(i, :) = A(i, :)·B for the rows i in [i0, i1): A m×k at $a (dense, every term summed),
  ;; B k×n at $b, C m×n at $c; $tmp: 104 bytes of scratch.
  (func $gemm_dense_rows (export "gemm_dense_rows")
    (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $n i32)
    (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $i i32) (local $nb i32) (local $kb i32) (local $ap i32) (local $aend i32)
    (local $cp i32) (local $j i32) (local $q i32)
    (local $s v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $sacc f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $j (i32.const 0))
        (block $passesDone
          (loop $passes
            (br_if $passesDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $acc0 (v128.const f64x2 0 0))
            (local.set $acc1 (v128.const f64x2 0 0))
            (local.set $acc2 (v128.const f64x2 0 0))
            (local.set $acc3 (v128.const f64x2 0 0))
            (local.set $acc4 (v128.const f64x2 0 0))
            (local.set $acc5 (v128.const f64x2 0 0))
            (local.set $sacc (f64.const 0))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
            (local.set $aend (i32.add (local.get $ap) (local.get $kb)))
            (local.set $q (i32.add (local.get $b) (local.get $j)))
            (block $td
              (loop $t
                (br_if $td (i32.ge_u (local.get $ap) (local.get $aend)))
                (local.set $s (v128.load64_splat (local.get $ap)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.load (local.get $ap)) (f64.load offset=96 (local.get $q)))))
                (local.set $ap (i32.add (local.get $ap) (i32.const 8)))
                (local.set $q (i32.add (local.get $q) (local.get $nb)))
                (br $t)))
            (call $store13 (local.get $cp) (local.get $j) (local.get $nb) (local.get $tmp)
              (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3) (local.get $acc4) (local.get $acc5) (local.get $sacc))
            (local.set $j (i32.add (local.get $j) (i32.const 104)))
            (br $passes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; C(i, :) = A(i, :)·B for the rows i in [i0, i1), A given by its non-zeros (csr_build: $rows,
  ;; $colIdx, $vals): the zeros are skipped (the caller checked that B is all finite, so a skipped
  ;; 0·B(p, j) would have added exactly 0). B k×n at $b, C at $c; $tmp: 104 bytes of scratch.
  ;; $bias, when not 0, is the address of one more row of B that comes first with the factor 1:
  ;; the product of [ones(m,1) A] and [Bbias; B], the bias column's term first as in the naive sum.
  (func $gemm_csr_rows (export "gemm_csr_rows")
    (param $rows i32) (param $colIdx i32) (param $vals i32) (param $b i32) (param $c i32) (param $n i32)
    (param $bias i32) (param $i0 i32) (param $i1 i32) (param $tmp i32)
    (local $i i32) (local $nb i32) (local $e0 i32) (local $e1 i32) (local $ip i32) (local $vp i32) (local $iend i32)
    (local $cp i32) (local $j i32) (local $q i32) (local $bj i32)
    (local $s v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $sacc f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $e0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $e1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $iend (i32.add (local.get $colIdx) (i32.shl (local.get $e1) (i32.const 2))))
        (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))))
        (local.set $j (i32.const 0))
        (block $passesDone
          (loop $passes
            (br_if $passesDone (i32.ge_u (local.get $j) (local.get $nb)))
            (local.set $acc0 (v128.const f64x2 0 0))
            (local.set $acc1 (v128.const f64x2 0 0))
            (local.set $acc2 (v128.const f64x2 0 0))
            (local.set $acc3 (v128.const f64x2 0 0))
            (local.set $acc4 (v128.const f64x2 0 0))
            (local.set $acc5 (v128.const f64x2 0 0))
            (local.set $sacc (f64.const 0))
            (if (local.get $bias)
              (then
                ;; 0 + 1·Bbias(j): the first term of every sum.
                (local.set $q (i32.add (local.get $bias) (local.get $j)))
                (local.set $s (v128.const f64x2 1 1))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.const 1) (f64.load offset=96 (local.get $q)))))))
            (local.set $ip (i32.add (local.get $colIdx) (i32.shl (local.get $e0) (i32.const 2))))
            (local.set $vp (i32.add (local.get $vals) (i32.shl (local.get $e0) (i32.const 3))))
            (local.set $bj (i32.add (local.get $b) (local.get $j)))
            (block $td
              (loop $t
                (br_if $td (i32.ge_u (local.get $ip) (local.get $iend)))
                (local.set $q (i32.add (local.get $bj) (i32.mul (i32.load (local.get $ip)) (local.get $nb))))
                (local.set $s (v128.load64_splat (local.get $vp)))
                (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $s) (v128.load align=8 (local.get $q)))))
                (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $s) (v128.load offset=16 align=8 (local.get $q)))))
                (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $s) (v128.load offset=32 align=8 (local.get $q)))))
                (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $s) (v128.load offset=48 align=8 (local.get $q)))))
                (local.set $acc4 (f64x2.add (local.get $acc4) (f64x2.mul (local.get $s) (v128.load offset=64 align=8 (local.get $q)))))
                (local.set $acc5 (f64x2.add (local.get $acc5) (f64x2.mul (local.get $s) (v128.load offset=80 align=8 (local.get $q)))))
                (local.set $sacc (f64.add (local.get $sacc) (f64.mul (f64.load (local.get $vp)) (f64.load offset=96 (local.get $q)))))
                (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
                (local.set $vp (i32.add (local.get $vp) (i32.const 8)))
                (br $t)))
            (call $store13 (local.get $cp) (local.get $j) (local.get $nb) (local.get $tmp)
              (local.get $acc0) (local.get $acc1) (local.get $acc2) (local.get $acc3) (local.get $acc4) (local.get $acc5) (local.get $sacc))
            (local.set $j (i32.add (local.get $j) (i32.const 104)))
            (br $passes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; Stores the 13 sums of a pass at $cp + $j, or only the $nb - $j bytes left of the row.
  (func $store13 (param $cp i32) (param $j i32) (param $nb i32) (param $tmp i32)
    (param $acc0 v128) (param $acc1 v128) (param $acc2 v128) (param $acc3 v128) (param $acc4 v128) (param $acc5 v128) (param $sacc f64)
    (local $q i32) (local $partial i32)
    (local.set $partial (i32.lt_u (i32.sub (local.get $nb) (local.get $j)) (i32.const 104)))
    (local.set $q (select (local.get $tmp) (i32.add (local.get $cp) (local.get $j)) (local.get $partial)))
    (v128.store align=8 (local.get $q) (local.get $acc0))
    (v128.store offset=16 align=8 (local.get $q) (local.get $acc1))
    (v128.store offset=32 align=8 (local.get $q) (local.get $acc2))
    (v128.store offset=48 align=8 (local.get $q) (local.get $acc3))
    (v128.store offset=64 align=8 (local.get $q) (local.get $acc4))
    (v128.store offset=80 align=8 (local.get $q) (local.get $acc5))
    (f64.store offset=96 (local.get $q) (local.get $sacc))
    (if (local.get $partial)
      (then (memory.copy (i32.add (local.get $cp) (local.get $j)) (local.get $tmp) (i32.sub (local.get $nb) (local.get $j))))))

  ;; The non-zeros of A by columns, from its rows (csr_build's $rows, $colIdx, $vals; A r×c):
  ;; column j's entries are [cols[2j], cols[2j+1]) of $rowIdx (i32, their rows, increasing) and
  ;; $colVals (f64). The entries are counted per column, then placed in row order (a stable
  ;; counting sort), so each column keeps the increasing order the sums need.
  (func (export "csc_from_csr") (param $rows i32) (param $colIdx i32) (param $vals i32) (param $r i32) (param $c i32)
    (param $cols i32) (param $rowIdx i32) (param $colVals i32)
    (local $p i32) (local $e i32) (local $eEnd i32) (local $j i32) (local $at i32) (local $slot i32)
    (memory.fill (local.get $cols) (i32.const 0) (i32.shl (local.get $c) (i32.const 3)))
    ;; Count: cols[2j+1] += 1 per entry of column j.
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $r)))
      (local.set $e (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $eEnd (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (block $ed (loop $el
        (br_if $ed (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $slot (i32.add (local.get $cols)
          (i32.shl (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 3))))
        (i32.store offset=4 (local.get $slot) (i32.add (i32.load offset=4 (local.get $slot)) (i32.const 1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $el)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl)))
    ;; Starts: cols[2j] = entries before column j; cols[2j+1] becomes the next free slot (= start).
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $j) (local.get $c)))
      (local.set $slot (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $e (i32.load offset=4 (local.get $slot)))
      (i32.store (local.get $slot) (local.get $at))
      (i32.store offset=4 (local.get $slot) (local.get $at))
      (local.set $at (i32.add (local.get $at) (local.get $e)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $jl)))
    ;; Place: rows in increasing order, so each column's entries come out in increasing row.
    (local.set $p (i32.const 0))
    (block $pd2 (loop $pl2
      (br_if $pd2 (i32.ge_u (local.get $p) (local.get $r)))
      (local.set $e (i32.load (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $eEnd (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $p) (i32.const 3)))))
      (block $ed2 (loop $el2
        (br_if $ed2 (i32.ge_u (local.get $e) (local.get $eEnd)))
        (local.set $slot (i32.add (local.get $cols)
          (i32.shl (i32.load (i32.add (local.get $colIdx) (i32.shl (local.get $e) (i32.const 2)))) (i32.const 3))))
        (local.set $at (i32.load offset=4 (local.get $slot)))
        (i32.store offset=4 (local.get $slot) (i32.add (local.get $at) (i32.const 1)))
        (i32.store (i32.add (local.get $rowIdx) (i32.shl (local.get $at) (i32.const 2))) (local.get $p))
        (f64.store (i32.add (local.get $colVals) (i32.shl (local.get $at) (i32.const 3)))
          (f64.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 3)))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $el2)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl2))))

  ;; ------------------------------------------------------------------------------------------
  ;; Work sharing: a product is cut into chunks (ranges of output rows) that the calling thread
  ;; and the worker (threads.ts) take in turn. The job is described in the control block at
  ;; $ctl (wasm.ts writes it): i32 kernel at +20, parameters p0.. at +32, per-thread scratch at
  ;; +80 (thread 0) and +84 (thread 1), chunk bounds at +128 (chunk c is [bound c, bound c+1)).
  (func (export "run_chunk") (param $ctl i32) (param $chunk i32) (param $thread i32)
    (local $lo i32) (local $hi i32) (local $tmp i32) (local $a i32) (local $out i32)
    (local.set $lo (i32.load offset=128 (i32.add (local.get $ctl) (i32.shl (local.get $chunk) (i32.const 2)))))
    (local.set $hi (i32.load offset=132 (i32.add (local.get $ctl) (i32.shl (local.get $chunk) (i32.const 2)))))
    (local.set $tmp (i32.load offset=80 (i32.add (local.get $ctl) (i32.shl (local.get $thread) (i32.const 2)))))
    (block $unary (block $list (block $csr (block $dense (block $bad
      (br_table $dense $csr $list $unary $bad (i32.sub (i32.load offset=20 (local.get $ctl)) (i32.const 1))))
      unreachable)
      ;; 1: gemm_dense_rows(a, b, c, k, n)
      (call $gemm_dense_rows (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
        (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
        (local.get $lo) (local.get $hi) (local.get $tmp))
      (return))
    ;; 2: gemm_csr_rows(rows, colIdx, vals, b, c, n, bias)
    (call $gemm_csr_rows (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
      (i32.load offset=52 (local.get $ctl)) (i32.load offset=56 (local.get $ctl)) (local.get $lo) (local.get $hi) (local.get $tmp))
    (return))
    ;; 3: csr_build(a, c, rows, colIdx, vals)
    (call $csr_build (i32.load offset=32 (local.get $ctl)) (i32.load offset=36 (local.get $ctl))
      (i32.load offset=40 (local.get $ctl)) (i32.load offset=44 (local.get $ctl)) (i32.load offset=48 (local.get $ctl))
      (local.get $lo) (local.get $hi))
    (return))
    ;; 4: element-wise function (0 exp, 1 sigmoid, 2 log) of the values [lo, hi) of a into c
    (local.set $a (i32.add (i32.load offset=36 (local.get $ctl)) (i32.shl (local.get $lo) (i32.const 3))))
    (local.set $out (i32.add (i32.load offset=40 (local.get $ctl)) (i32.shl (local.get $lo) (i32.const 3))))
    (if (i32.eq (i32.load offset=32 (local.get $ctl)) (i32.const 2))
      (then (call $log_array (local.get $a) (local.get $out) (i32.sub (local.get $hi) (local.get $lo))))
      (else (call $exp_array (local.get $a) (local.get $out) (i32.sub (local.get $hi) (local.get $lo)) (i32.load offset=32 (local.get $ctl))))))

  ;; dst (c×r) = src (r×c)', in 16×16 blocks so both sides stay in cache.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $r i32) (param $c i32)
    (local $i0 i32) (local $j0 i32) (local $i i32) (local $j i32) (local $i1 i32) (local $j1 i32)
    (block $id (loop $il
      (br_if $id (i32.ge_u (local.get $i0) (local.get $r)))
      (local.set $i1 (select (local.get $r) (i32.add (local.get $i0) (i32.const 16))
        (i32.gt_u (i32.add (local.get $i0) (i32.const 16)) (local.get $r))))
      (local.set $j0 (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j0) (local.get $c)))
        (local.set $j1 (select (local.get $c) (i32.add (local.get $j0) (i32.const 16))
          (i32.gt_u (i32.add (local.get $j0) (i32.const 16)) (local.get $c))))
        (local.set $i (local.get $i0))
        (block $bid (loop $bil
          (br_if $bid (i32.ge_u (local.get $i) (local.get $i1)))
          (local.set $j (local.get $j0))
          (block $bjd (loop $bjl
            (br_if $bjd (i32.ge_u (local.get $j) (local.get $j1)))
            (f64.store
              (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $j) (local.get $r)) (local.get $i)) (i32.const 3)))
              (f64.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $c)) (local.get $j)) (i32.const 3)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $bjl)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bil)))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 16)))
        (br $jl)))
      (local.set $i0 (i32.add (local.get $i0) (i32.const 16)))
      (br $il))))

  ;; dst (r×(c+1)) = [ones(r, 1) src] for src r×c.
  (func (export "bias_rows") (param $src i32) (param $dst i32) (param $r i32) (param $c i32)
    (local $i i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 3)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $r)))
      (f64.store (local.get $dst) (f64.const 1))
      (memory.copy (i32.add (local.get $dst) (i32.const 8)) (local.get $src) (local.get $cb))
      (local.set $src (i32.add (local.get $src) (local.get $cb)))
      (local.set $dst (i32.add (local.get $dst) (i32.add (local.get $cb) (i32.const 8))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; ------------------------------------------------------------------------------------------
  ;; Element-wise operations on `len` values: $a (and $b) in, $c out ($c may equal $a or $b).
  ;; Pairs with f64x2, then the odd last value with the same lane operations.

  (func (export "times_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.mul (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func (export "plus_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.add (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.add (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func (export "minus_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  (func (export "rdivide_mm") (param $a i32) (param $b i32) (param $c i32) (param $len i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (v128.load align=8 (local.get $a)) (v128.load align=8 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (f64.load (local.get $a)) (f64.load (local.get $b)))))))

  ;; A op s (matrix, then scalar). times and plus are commutative in IEEE arithmetic, so s .* A
  ;; and s + A use these too.
  (func (export "times_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.mul (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (local.get $s))))))

  (func (export "plus_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.add (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.add (f64.load (local.get $a)) (local.get $s))))))

  (func (export "minus_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (f64.load (local.get $a)) (local.get $s))))))

  (func (export "minus_sm") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.sub (local.get $sv) (v128.load align=8 (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.sub (local.get $s) (f64.load (local.get $a)))))))

  (func (export "rdivide_ms") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (v128.load align=8 (local.get $a)) (local.get $sv)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (f64.load (local.get $a)) (local.get $s))))))

  (func (export "rdivide_sm") (param $a i32) (param $s f64) (param $c i32) (param $len i32)
    (local $end i32) (local $sv v128)
    (local.set $sv (f64x2.splat (local.get $s)))
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (v128.store align=8 (local.get $c) (f64x2.div (local.get $sv) (v128.load align=8 (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.div (local.get $s) (f64.load (local.get $a)))))))

  ;; A .^ 2 as A .* A (what the JS path computes for the exponent 2).
  (func (export "square") (param $a i32) (param $c i32) (param $len i32)
    (local $end i32) (local $x v128)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.and (local.get $len) (i32.const -2)) (i32.const 3))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $c) (local.get $end)))
      (local.set $x (v128.load align=8 (local.get $a)))
      (v128.store align=8 (local.get $c) (f64x2.mul (local.get $x) (local.get $x)))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $len) (i32.const 1))
      (then (f64.store (local.get $c) (f64.mul (f64.load (local.get $a)) (f64.load (local.get $a)))))))

  ;; ------------------------------------------------------------------------------------------
  ;; exp: fdlibm's e_exp.c (as in V8's src/base/ieee754.cc) on two lanes. The C code's tests of
  ;; the high word of |x| are f64 comparisons with the same thresholds; its branches become lane
  ;; masks: k = 0 (|x| <= ln2/2), k = ±1 (|x| < 1.5·ln2) or k = (int)(x/ln2 ± 1/2); with k = 0,
  ;; hi = x and lo = 0, and the k ≠ 0 formula gives exactly the k = 0 one. Over/underflow, tiny x
  ;; and V8's exp(1) = e are selected last.
  ;; Computes exp (mode 0) or the sigmoid 1/(1+exp(-x)) (mode 1, sigmoid.m's formula) of the
  ;; `len` values at $a into $c.
  (func $exp_array (param $a i32) (param $c i32) (param $len i32) (param $mode i32)
    (local $end i32) (local $left i32)
    (local $x1 v128) (local $ax1 v128) (local $big1 v128) (local $kf1 v128) (local $kb1 v128) (local $hi1 v128) (local $lo1 v128) (local $xr1 v128) (local $t1 v128) (local $cc1 v128) (local $y1 v128) (local $r1 v128)
    (local $x2 v128) (local $ax2 v128) (local $big2 v128) (local $kf2 v128) (local $kb2 v128) (local $hi2 v128) (local $lo2 v128) (local $xr2 v128) (local $t2 v128) (local $cc2 v128) (local $y2 v128) (local $r2 v128)
    (local $SIGN v128) (local $HALF v128) (local $ONE v128) (local $TWO v128) (local $T1 v128) (local $T2 v128) (local $TINY v128)
    (local $INVLN2 v128) (local $LN2HI v128) (local $LN2LO v128) (local $P1 v128) (local $P2 v128) (local $P3 v128) (local $P4 v128) (local $P5 v128)
    (local $MAGIC v128) (local $B1023 v128) (local $B2023 v128) (local $KLOW v128) (local $KHIGH v128) (local $TWOM1000 v128) (local $TWO1023 v128)
    (local $E v128) (local $INF v128) (local $OTHR v128) (local $UTHR v128)
    (local.set $SIGN (v128.const i64x2 0x8000000000000000 0x8000000000000000))
    (local.set $HALF (v128.const f64x2 0.5 0.5))
    (local.set $ONE (v128.const f64x2 1 1))
    (local.set $TWO (v128.const f64x2 2 2))
    ;; The doubles whose high words bound fdlibm's ranges: |x| >= T1 is hx > 0x3fd62e42, |x| < T2 is
    ;; hx < 0x3ff0a2b2, |x| < TINY is hx < 0x3e300000.
    (local.set $T1 (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000))
    (local.set $T2 (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000))
    (local.set $TINY (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))
    (local.set $INVLN2 (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
    (local.set $LN2HI (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $LN2LO (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $P1 (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01))
    (local.set $P2 (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03))
    (local.set $P3 (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05))
    (local.set $P4 (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06))
    (local.set $P5 (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))
    (local.set $MAGIC (v128.const f64x2 6755399441055744 6755399441055744))
    (local.set $B1023 (v128.const i64x2 1023 1023))
    (local.set $B2023 (v128.const i64x2 2023 2023))
    (local.set $KLOW (v128.const f64x2 -1021 -1021))
    (local.set $KHIGH (v128.const f64x2 1024 1024))
    (local.set $TWOM1000 (v128.const f64x2 9.33263618503218878990e-302 9.33263618503218878990e-302))
    (local.set $TWO1023 (v128.const f64x2 8.988465674311579539e307 8.988465674311579539e307))
    (local.set $E (v128.const f64x2 2.718281828459045 2.718281828459045))
    (local.set $INF (v128.const f64x2 inf inf))
    (local.set $OTHR (v128.const f64x2 7.09782712893383973096e+02 7.09782712893383973096e+02))
    (local.set $UTHR (v128.const f64x2 -7.45133219101941108420e+02 -7.45133219101941108420e+02))
    (local.set $end (i32.add (local.get $c) (i32.shl (local.get $len) (i32.const 3))))
    ;; Four values per turn (two independent f64x2 computations keep the CPU busy: ~1.5x faster
    ;; than one); a last turn with 1 to 3 values loads what exists and stores only that.
    (block $d (loop $l
      (local.set $left (i32.sub (local.get $end) (local.get $c)))
      (br_if $d (i32.le_s (local.get $left) (i32.const 0)))
      (local.set $x1 (if (result v128) (i32.ge_u (local.get $left) (i32.const 16))
        (then (v128.load align=8 (local.get $a)))
        (else (v128.load64_splat (local.get $a)))))
      (local.set $x2 (if (result v128) (i32.ge_u (local.get $left) (i32.const 32))
        (then (v128.load offset=16 align=8 (local.get $a)))
        (else (if (result v128) (i32.eq (local.get $left) (i32.const 24))
          (then (v128.load64_splat offset=16 (local.get $a)))
          (else (local.get $x1))))))
      (if (local.get $mode) (then (local.set $x1 (f64x2.neg (local.get $x1)))))
      (local.set $ax1 (f64x2.abs (local.get $x1)))
      ;; |x| > 0.5·ln2 (by fdlibm's high-word test): k = (int)(x/ln2 ± 0.5), or ±1 below 1.5·ln2;
      ;; else k = 0.
      (local.set $big1 (f64x2.ge (local.get $ax1) (local.get $T1)))
      (local.set $kf1 (f64x2.trunc (f64x2.add (f64x2.mul (local.get $INVLN2) (local.get $x1))
        (v128.or (local.get $HALF) (v128.and (local.get $x1) (local.get $SIGN))))))
      (local.set $kf1 (v128.bitselect (v128.or (local.get $ONE) (v128.and (local.get $x1) (local.get $SIGN))) (local.get $kf1)
        (f64x2.lt (local.get $ax1) (local.get $T2))))
      (local.set $kf1 (v128.and (local.get $kf1) (local.get $big1)))
      (local.set $hi1 (f64x2.sub (local.get $x1) (f64x2.mul (local.get $kf1) (local.get $LN2HI))))
      (local.set $lo1 (f64x2.mul (local.get $kf1) (local.get $LN2LO)))
      (local.set $xr1 (f64x2.sub (local.get $hi1) (local.get $lo1)))
      (local.set $t1 (f64x2.mul (local.get $xr1) (local.get $xr1)))
      (local.set $cc1 (f64x2.sub (local.get $xr1) (f64x2.mul (local.get $t1)
        (f64x2.add (local.get $P1) (f64x2.mul (local.get $t1)
        (f64x2.add (local.get $P2) (f64x2.mul (local.get $t1)
        (f64x2.add (local.get $P3) (f64x2.mul (local.get $t1)
        (f64x2.add (local.get $P4) (f64x2.mul (local.get $t1) (local.get $P5))))))))))))
      (local.set $y1 (f64x2.sub (local.get $ONE)
        (f64x2.sub (f64x2.sub (local.get $lo1)
          (f64x2.div (f64x2.mul (local.get $xr1) (local.get $cc1)) (f64x2.sub (local.get $TWO) (local.get $cc1))))
          (local.get $hi1))))
      ;; y·2^k: 2^k from k's bits (k + 1.5·2^52 holds k in its low bits).
      (local.set $kb1 (f64x2.add (local.get $kf1) (local.get $MAGIC)))
      (local.set $r1 (f64x2.mul (local.get $y1) (i64x2.shl (i64x2.add (local.get $kb1) (local.get $B1023)) (i32.const 52))))
      (local.set $r1 (v128.bitselect
        (f64x2.mul (f64x2.mul (local.get $y1) (i64x2.shl (i64x2.add (local.get $kb1) (local.get $B2023)) (i32.const 52))) (local.get $TWOM1000))
        (local.get $r1) (f64x2.lt (local.get $kf1) (local.get $KLOW))))
      (local.set $r1 (v128.bitselect
        (f64x2.mul (f64x2.mul (local.get $y1) (local.get $TWO)) (local.get $TWO1023))
        (local.get $r1) (f64x2.eq (local.get $kf1) (local.get $KHIGH))))
      (local.set $r1 (v128.bitselect (f64x2.add (local.get $ONE) (local.get $x1)) (local.get $r1)
        (f64x2.lt (local.get $ax1) (local.get $TINY))))
      (local.set $r1 (v128.bitselect (local.get $E) (local.get $r1) (f64x2.eq (local.get $x1) (local.get $ONE))))
      (local.set $r1 (v128.bitselect (local.get $INF) (local.get $r1) (f64x2.gt (local.get $x1) (local.get $OTHR))))
      (local.set $r1 (v128.andnot (local.get $r1) (f64x2.lt (local.get $x1) (local.get $UTHR))))
      (if (local.get $mode) (then (local.set $x2 (f64x2.neg (local.get $x2)))))
      (local.set $ax2 (f64x2.abs (local.get $x2)))
      ;; |x| > 0.5·ln2 (by fdlibm's high-word test): k = (int)(x/ln2 ± 0.5), or ±1 below 1.5·ln2;
      ;; else k = 0.
      (local.set $big2 (f64x2.ge (local.get $ax2) (local.get $T1)))
      (local.set $kf2 (f64x2.trunc (f64x2.add (f64x2.mul (local.get $INVLN2) (local.get $x2))
        (v128.or (local.get $HALF) (v128.and (local.get $x2) (local.get $SIGN))))))
      (local.set $kf2 (v128.bitselect (v128.or (local.get $ONE) (v128.and (local.get $x2) (local.get $SIGN))) (local.get $kf2)
        (f64x2.lt (local.get $ax2) (local.get $T2))))
      (local.set $kf2 (v128.and (local.get $kf2) (local.get $big2)))
      (local.set $hi2 (f64x2.sub (local.get $x2) (f64x2.mul (local.get $kf2) (local.get $LN2HI))))
      (local.set $lo2 (f64x2.mul (local.get $kf2) (local.get $LN2LO)))
      (local.set $xr2 (f64x2.sub (local.get $hi2) (local.get $lo2)))
      (local.set $t2 (f64x2.mul (local.get $xr2) (local.get $xr2)))
      (local.set $cc2 (f64x2.sub (local.get $xr2) (f64x2.mul (local.get $t2)
        (f64x2.add (local.get $P1) (f64x2.mul (local.get $t2)
        (f64x2.add (local.get $P2) (f64x2.mul (local.get $t2)
        (f64x2.add (local.get $P3) (f64x2.mul (local.get $t2)
        (f64x2.add (local.get $P4) (f64x2.mul (local.get $t2) (local.get $P5))))))))))))
      (local.set $y2 (f64x2.sub (local.get $ONE)
        (f64x2.sub (f64x2.sub (local.get $lo2)
          (f64x2.div (f64x2.mul (local.get $xr2) (local.get $cc2)) (f64x2.sub (local.get $TWO) (local.get $cc2))))
          (local.get $hi2))))
      ;; y·2^k: 2^k from k's bits (k + 1.5·2^52 holds k in its low bits).
      (local.set $kb2 (f64x2.add (local.get $kf2) (local.get $MAGIC)))
      (local.set $r2 (f64x2.mul (local.get $y2) (i64x2.shl (i64x2.add (local.get $kb2) (local.get $B1023)) (i32.const 52))))
      (local.set $r2 (v128.bitselect
        (f64x2.mul (f64x2.mul (local.get $y2) (i64x2.shl (i64x2.add (local.get $kb2) (local.get $B2023)) (i32.const 52))) (local.get $TWOM1000))
        (local.get $r2) (f64x2.lt (local.get $kf2) (local.get $KLOW))))
      (local.set $r2 (v128.bitselect
        (f64x2.mul (f64x2.mul (local.get $y2) (local.get $TWO)) (local.get $TWO1023))
        (local.get $r2) (f64x2.eq (local.get $kf2) (local.get $KHIGH))))
      (local.set $r2 (v128.bitselect (f64x2.add (local.get $ONE) (local.get $x2)) (local.get $r2)
        (f64x2.lt (local.get $ax2) (local.get $TINY))))
      (local.set $r2 (v128.bitselect (local.get $E) (local.get $r2) (f64x2.eq (local.get $x2) (local.get $ONE))))
      (local.set $r2 (v128.bitselect (local.get $INF) (local.get $r2) (f64x2.gt (local.get $x2) (local.get $OTHR))))
      (local.set $r2 (v128.andnot (local.get $r2) (f64x2.lt (local.get $x2) (local.get $UTHR))))
      (if (local.get $mode)
        (then
          (local.set $r1 (f64x2.div (local.get $ONE) (f64x2.add (local.get $ONE) (local.get $r1))))
          (local.set $r2 (f64x2.div (local.get $ONE) (f64x2.add (local.get $ONE) (local.get $r2))))))
      (if (i32.ge_u (local.get $left) (i32.const 16))
        (then (v128.store align=8 (local.get $c) (local.get $r1)))
        (else (f64.store (local.get $c) (f64x2.extract_lane 0 (local.get $r1)))))
      (if (i32.ge_u (local.get $left) (i32.const 32))
        (then (v128.store offset=16 align=8 (local.get $c) (local.get $r2)))
        (else (if (i32.eq (local.get $left) (i32.const 24))
          (then (f64.store offset=16 (local.get $c) (f64x2.extract_lane 0 (local.get $r2)))))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $c (i32.add (local.get $c) (i32.const 32)))
      (br $l))))
  (func (export "exp") (param $a i32) (param $c i32) (param $len i32) (call $exp_array (local.get $a) (local.get $c) (local.get $len) (i32.const 0)))
  (func (export "sigmoid") (param $a i32) (param $c i32) (param $len i32) (call $exp_array (local.get $a) (local.get $c) (local.get $len) (i32.const 1)))

  ;; log: fdlibm's e_log.c (as in V8's src/base/ieee754.cc) on two lanes: x = 2^k·(1+f) with
  ;; √2/2 < 1+f < √2; each lane selects its branch of the C code. The C code's k = 0 variants are
  ;; not needed: with dk = 0 the k ≠ 0 formulas give exactly the same values (0 - (y - f) is
  ;; f - y, including +0 when y = f).
  (func (export "log") (param $a i32) (param $c i32) (param $len i32)
    (call $log_array (local.get $a) (local.get $c) (local.get $len)))
  (func $log_array (param $a i32) (param $c i32) (param $len i32)
    (local $end i32) (local $left i32)
    (local $x1 v128) (local $sub1 v128) (local $xs1 v128) (local $hx1 v128) (local $k1 v128) (local $hm1 v128) (local $i1 v128) (local $f1 v128) (local $dk1 v128) (local $dkHi1 v128) (local $dkLo1 v128) (local $R1 v128) (local $s1 v128) (local $z1 v128) (local $w1 v128) (local $hfsq1 v128) (local $rA1 v128) (local $r1 v128)
    (local $x2 v128) (local $sub2 v128) (local $xs2 v128) (local $hx2 v128) (local $k2 v128) (local $hm2 v128) (local $i2 v128) (local $f2 v128) (local $dk2 v128) (local $dkHi2 v128) (local $dkLo2 v128) (local $R2 v128) (local $s2 v128) (local $z2 v128) (local $w2 v128) (local $hfsq2 v128) (local $rA2 v128) (local $r2 v128)
    (local $ONE v128) (local $TWO v128) (local $HALF v128) (local $THIRD v128) (local $TWO54 v128) (local $MINNORM v128)
    (local $LN2HI v128) (local $LN2LO v128) (local $LG1 v128) (local $LG2 v128) (local $LG3 v128) (local $LG4 v128)
    (local $LG5 v128) (local $LG6 v128) (local $LG7 v128) (local $INF v128)
    (local $M54 v128) (local $B1023 v128) (local $LOW20 v128) (local $C95F64 v128) (local $BIT20 v128) (local $LOW32 v128) (local $C3FF v128) (local $C6147A v128) (local $C6B851 v128) (local $I2 v128) (local $I3 v128) (local $NAN v128) (local $NEGINF v128)
    (local.set $ONE (v128.const f64x2 1 1))
    (local.set $TWO (v128.const f64x2 2 2))
    (local.set $HALF (v128.const f64x2 0.5 0.5))
    (local.set $THIRD (v128.const f64x2 0.33333333333333333 0.33333333333333333))
    (local.set $TWO54 (v128.const f64x2 1.80143985094819840000e+16 1.80143985094819840000e+16))
    (local.set $MINNORM (v128.const f64x2 2.2250738585072014e-308 2.2250738585072014e-308))
    (local.set $LN2HI (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $LN2LO (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $LG1 (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01))
    (local.set $LG2 (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01))
    (local.set $LG3 (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01))
    (local.set $LG4 (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01))
    (local.set $LG5 (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01))
    (local.set $LG6 (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01))
    (local.set $LG7 (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01))
    (local.set $INF (v128.const f64x2 inf inf))
    (local.set $M54 (v128.const i64x2 -54 -54))
    (local.set $B1023 (v128.const i64x2 1023 1023))
    (local.set $LOW20 (v128.const i64x2 0x000fffff 0x000fffff))
    (local.set $C95F64 (v128.const i64x2 0x95f64 0x95f64))
    (local.set $BIT20 (v128.const i64x2 0x100000 0x100000))
    (local.set $LOW32 (v128.const i64x2 0xffffffff 0xffffffff))
    (local.set $C3FF (v128.const i64x2 0x3ff00000 0x3ff00000))
    (local.set $C6147A (v128.const i64x2 0x6147a 0x6147a))
    (local.set $C6B851 (v128.const i64x2 0x6b851 0x6b851))
    (local.set $I2 (v128.const i64x2 2 2))
    (local.set $I3 (v128.const i64x2 3 3))
    (local.set $NAN (v128.const f64x2 nan nan))
    (local.set $NEGINF (v128.const f64x2 -inf -inf))
    (local.set $end (i32.add (local.get $c) (i32.shl (local.get $len) (i32.const 3))))
    ;; Four values per turn, like exp: a last turn with 1 to 3 values loads what exists and stores only that.
    (block $d (loop $l
      (local.set $left (i32.sub (local.get $end) (local.get $c)))
      (br_if $d (i32.le_s (local.get $left) (i32.const 0)))
      (local.set $x1 (if (result v128) (i32.ge_u (local.get $left) (i32.const 16))
        (then (v128.load align=8 (local.get $a)))
        (else (v128.load64_splat (local.get $a)))))
      (local.set $x2 (if (result v128) (i32.ge_u (local.get $left) (i32.const 32))
        (then (v128.load offset=16 align=8 (local.get $a)))
        (else (if (result v128) (i32.eq (local.get $left) (i32.const 24))
          (then (v128.load64_splat offset=16 (local.get $a)))
          (else (local.get $x1))))))
      ;; Positive subnormals are scaled by 2^54 (k -= 54). Negative lanes are replaced at the end,
      ;; so the high word hx can be taken without its sign.
      (local.set $sub1 (v128.and (f64x2.gt (local.get $x1) (v128.const f64x2 0 0)) (f64x2.lt (local.get $x1) (local.get $MINNORM))))
      (local.set $xs1 (v128.bitselect (f64x2.mul (local.get $x1) (local.get $TWO54)) (local.get $x1) (local.get $sub1)))
      (local.set $hx1 (i64x2.shr_u (local.get $xs1) (i32.const 32)))
      ;; k += (hx>>20)-1023; hx &= 0x000fffff; i = (hx+0x95f64)&0x100000; x or x/2 in [√2/2, √2).
      (local.set $k1 (i64x2.add (v128.and (local.get $sub1) (local.get $M54))
        (i64x2.sub (i64x2.shr_u (local.get $hx1) (i32.const 20)) (local.get $B1023))))
      (local.set $hm1 (v128.and (local.get $hx1) (local.get $LOW20)))
      (local.set $i1 (v128.and (i64x2.add (local.get $hm1) (local.get $C95F64)) (local.get $BIT20)))
      (local.set $f1 (f64x2.sub
        (v128.or (v128.and (local.get $xs1) (local.get $LOW32))
          (i64x2.shl (v128.or (local.get $hm1) (v128.xor (local.get $i1) (local.get $C3FF))) (i32.const 32)))
        (local.get $ONE)))
      (local.set $k1 (i64x2.add (local.get $k1) (i64x2.shr_u (local.get $i1) (i32.const 20))))
      ;; dk = (double)k, from the low 32 bits of each lane.
      (local.set $dk1 (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k1) (local.get $k1))))
      (local.set $dkHi1 (f64x2.mul (local.get $dk1) (local.get $LN2HI)))
      (local.set $dkLo1 (f64x2.mul (local.get $dk1) (local.get $LN2LO)))
      ;; |f| < 2^-20: R = f*f*(0.5-0.33333333333333333*f), dk*ln2_hi-((R-dk*ln2_lo)-f); f == 0: dk*ln2_hi+dk*ln2_lo.
      (local.set $R1 (f64x2.mul (f64x2.mul (local.get $f1) (local.get $f1))
        (f64x2.sub (local.get $HALF) (f64x2.mul (local.get $THIRD) (local.get $f1)))))
      (local.set $rA1 (v128.bitselect
        (f64x2.add (local.get $dkHi1) (local.get $dkLo1))
        (f64x2.sub (local.get $dkHi1) (f64x2.sub (f64x2.sub (local.get $R1) (local.get $dkLo1)) (local.get $f1)))
        (f64x2.eq (local.get $f1) (v128.const f64x2 0 0))))
      ;; Otherwise s = f/(2+f), R = t2+t1 with t1 = w*(Lg2+w*(Lg4+w*Lg6)), t2 = z*(Lg1+w*(Lg3+w*(Lg5+w*Lg7))).
      (local.set $s1 (f64x2.div (local.get $f1) (f64x2.add (local.get $TWO) (local.get $f1))))
      (local.set $z1 (f64x2.mul (local.get $s1) (local.get $s1)))
      (local.set $w1 (f64x2.mul (local.get $z1) (local.get $z1)))
      (local.set $R1 (f64x2.add
        (f64x2.mul (local.get $z1)
          (f64x2.add (local.get $LG1) (f64x2.mul (local.get $w1)
          (f64x2.add (local.get $LG3) (f64x2.mul (local.get $w1)
          (f64x2.add (local.get $LG5) (f64x2.mul (local.get $w1) (local.get $LG7))))))))
        (f64x2.mul (local.get $w1)
          (f64x2.add (local.get $LG2) (f64x2.mul (local.get $w1)
          (f64x2.add (local.get $LG4) (f64x2.mul (local.get $w1) (local.get $LG6))))))))
      ;; i = (hx-0x6147a)|(0x6b851-hx) > 0: dk*ln2_hi-((hfsq-(s*(hfsq+R)+dk*ln2_lo))-f) with
      ;; hfsq = 0.5*f*f; else dk*ln2_hi-((s*(f-R)-dk*ln2_lo)-f).
      (local.set $hfsq1 (f64x2.mul (f64x2.mul (local.get $HALF) (local.get $f1)) (local.get $f1)))
      (local.set $r1 (v128.bitselect
        (f64x2.sub (local.get $dkHi1) (f64x2.sub (f64x2.sub (local.get $hfsq1)
          (f64x2.add (f64x2.mul (local.get $s1) (f64x2.add (local.get $hfsq1) (local.get $R1))) (local.get $dkLo1)))
          (local.get $f1)))
        (f64x2.sub (local.get $dkHi1) (f64x2.sub (f64x2.sub
          (f64x2.mul (local.get $s1) (f64x2.sub (local.get $f1) (local.get $R1))) (local.get $dkLo1)) (local.get $f1)))
        (i64x2.gt_s
          (v128.or (i64x2.sub (local.get $hm1) (local.get $C6147A))
                   (i64x2.sub (local.get $C6B851) (local.get $hm1)))
          (v128.const i64x2 0 0))))
      (local.set $r1 (v128.bitselect (local.get $rA1) (local.get $r1)
        (i64x2.lt_s
          (v128.and (i64x2.add (local.get $hm1) (local.get $I2)) (local.get $LOW20))
          (local.get $I3))))
      ;; +Infinity and NaN: x + x. Negative: NaN. ±0: -Infinity.
      (local.set $r1 (v128.bitselect (f64x2.add (local.get $x1) (local.get $x1)) (local.get $r1)
        (v128.not (f64x2.lt (local.get $x1) (local.get $INF)))))
      (local.set $r1 (v128.bitselect (local.get $NAN) (local.get $r1) (f64x2.lt (local.get $x1) (v128.const f64x2 0 0))))
      (local.set $r1 (v128.bitselect (local.get $NEGINF) (local.get $r1) (f64x2.eq (local.get $x1) (v128.const f64x2 0 0))))
      (local.set $sub2 (v128.and (f64x2.gt (local.get $x2) (v128.const f64x2 0 0)) (f64x2.lt (local.get $x2) (local.get $MINNORM))))
      (local.set $xs2 (v128.bitselect (f64x2.mul (local.get $x2) (local.get $TWO54)) (local.get $x2) (local.get $sub2)))
      (local.set $hx2 (i64x2.shr_u (local.get $xs2) (i32.const 32)))
      (local.set $k2 (i64x2.add (v128.and (local.get $sub2) (local.get $M54))
        (i64x2.sub (i64x2.shr_u (local.get $hx2) (i32.const 20)) (local.get $B1023))))
      (local.set $hm2 (v128.and (local.get $hx2) (local.get $LOW20)))
      (local.set $i2 (v128.and (i64x2.add (local.get $hm2) (local.get $C95F64)) (local.get $BIT20)))
      (local.set $f2 (f64x2.sub
        (v128.or (v128.and (local.get $xs2) (local.get $LOW32))
          (i64x2.shl (v128.or (local.get $hm2) (v128.xor (local.get $i2) (local.get $C3FF))) (i32.const 32)))
        (local.get $ONE)))
      (local.set $k2 (i64x2.add (local.get $k2) (i64x2.shr_u (local.get $i2) (i32.const 20))))
      (local.set $dk2 (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $k2) (local.get $k2))))
      (local.set $dkHi2 (f64x2.mul (local.get $dk2) (local.get $LN2HI)))
      (local.set $dkLo2 (f64x2.mul (local.get $dk2) (local.get $LN2LO)))
      (local.set $R2 (f64x2.mul (f64x2.mul (local.get $f2) (local.get $f2))
        (f64x2.sub (local.get $HALF) (f64x2.mul (local.get $THIRD) (local.get $f2)))))
      (local.set $rA2 (v128.bitselect
        (f64x2.add (local.get $dkHi2) (local.get $dkLo2))
        (f64x2.sub (local.get $dkHi2) (f64x2.sub (f64x2.sub (local.get $R2) (local.get $dkLo2)) (local.get $f2)))
        (f64x2.eq (local.get $f2) (v128.const f64x2 0 0))))
      (local.set $s2 (f64x2.div (local.get $f2) (f64x2.add (local.get $TWO) (local.get $f2))))
      (local.set $z2 (f64x2.mul (local.get $s2) (local.get $s2)))
      (local.set $w2 (f64x2.mul (local.get $z2) (local.get $z2)))
      (local.set $R2 (f64x2.add
        (f64x2.mul (local.get $z2)
          (f64x2.add (local.get $LG1) (f64x2.mul (local.get $w2)
          (f64x2.add (local.get $LG3) (f64x2.mul (local.get $w2)
          (f64x2.add (local.get $LG5) (f64x2.mul (local.get $w2) (local.get $LG7))))))))
        (f64x2.mul (local.get $w2)
          (f64x2.add (local.get $LG2) (f64x2.mul (local.get $w2)
          (f64x2.add (local.get $LG4) (f64x2.mul (local.get $w2) (local.get $LG6))))))))
      (local.set $hfsq2 (f64x2.mul (f64x2.mul (local.get $HALF) (local.get $f2)) (local.get $f2)))
      (local.set $r2 (v128.bitselect
        (f64x2.sub (local.get $dkHi2) (f64x2.sub (f64x2.sub (local.get $hfsq2)
          (f64x2.add (f64x2.mul (local.get $s2) (f64x2.add (local.get $hfsq2) (local.get $R2))) (local.get $dkLo2)))
          (local.get $f2)))
        (f64x2.sub (local.get $dkHi2) (f64x2.sub (f64x2.sub
          (f64x2.mul (local.get $s2) (f64x2.sub (local.get $f2) (local.get $R2))) (local.get $dkLo2)) (local.get $f2)))
        (i64x2.gt_s
          (v128.or (i64x2.sub (local.get $hm2) (local.get $C6147A))
                   (i64x2.sub (local.get $C6B851) (local.get $hm2)))
          (v128.const i64x2 0 0))))
      (local.set $r2 (v128.bitselect (local.get $rA2) (local.get $r2)
        (i64x2.lt_s
          (v128.and (i64x2.add (local.get $hm2) (local.get $I2)) (local.get $LOW20))
          (local.get $I3))))
      (local.set $r2 (v128.bitselect (f64x2.add (local.get $x2) (local.get $x2)) (local.get $r2)
        (v128.not (f64x2.lt (local.get $x2) (local.get $INF)))))
      (local.set $r2 (v128.bitselect (local.get $NAN) (local.get $r2) (f64x2.lt (local.get $x2) (v128.const f64x2 0 0))))
      (local.set $r2 (v128.bitselect (local.get $NEGINF) (local.get $r2) (f64x2.eq (local.get $x2) (v128.const f64x2 0 0))))
      (if (i32.ge_u (local.get $left) (i32.const 16))
        (then (v128.store align=8 (local.get $c) (local.get $r1)))
        (else (f64.store (local.get $c) (f64x2.extract_lane 0 (local.get $r1)))))
      (if (i32.ge_u (local.get $left) (i32.const 32))
        (then (v128.store offset=16 align=8 (local.get $c) (local.get $r2)))
        (else (if (i32.eq (local.get $left) (i32.const 24))
          (then (f64.store offset=16 (local.get $c) (f64x2.extract_lane 0 (local.get $r2)))))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $c (i32.add (local.get $c) (i32.const 32)))
      (br $l))))

  ;; ------------------------------------------------------------------------------------------
  ;; Reductions

  ;; out(j) = Σ_i A(i, j) in increasing i from +0, for A r×c at $a; out at $out (c values).
  (func (export "colsum") (param $a i32) (param $out i32) (param $r i32) (param $c i32)
    (local $cb i32) (local $i i32) (local $j i32) (local $row i32) (local $pairs i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 3)))
    (local.set $pairs (i32.and (local.get $cb) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $cb))
    (local.set $row (local.get $a))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $i) (local.get $r)))
      (local.set $j (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_u (local.get $j) (local.get $pairs)))
        (v128.store align=8 (i32.add (local.get $out) (local.get $j))
          (f64x2.add (v128.load align=8 (i32.add (local.get $out) (local.get $j)))
                     (v128.load align=8 (i32.add (local.get $row) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jl)))
      (if (i32.lt_u (local.get $j) (local.get $cb))
        (then (f64.store (i32.add (local.get $out) (local.get $j))
          (f64.add (f64.load (i32.add (local.get $out) (local.get $j)))
                   (f64.load (i32.add (local.get $row) (local.get $j)))))))
      (local.set $row (i32.add (local.get $row) (local.get $cb)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rl))))

)
