//! The data of the 62 benchmark tasks, pinned: a hash of each task's facts, whole test split,
//! a training batch and fresh longer sequences at fixed seeds, computed before the task
//! families existed. Any change to what a benchmark task generates fails here.

use crate::data::Dataset;
use crate::task::Task;

/// FNV-1a, 64-bit: a hash fixed by its definition (unlike std's hashers).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn int(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }

    fn dataset(&mut self, data: &Dataset) {
        self.int(data.input_dim as i64);
        self.int(data.output_dim as i64);
        self.int(data.len() as i64);
        for s in &data.sequences {
            self.int(s.inputs.len() as i64);
            s.inputs.iter().for_each(|&v| self.int(v));
            s.outputs.iter().for_each(|&v| self.int(v));
        }
    }
}

/// The hash of everything task `name` generates at the pinned seeds.
fn fingerprint(name: &str) -> u64 {
    let task = super::builtin(name).unwrap();
    let info = task.info();
    let mut h = Fnv::new();
    h.bytes(info.name.as_bytes());
    for &(lo, hi) in info.input_ranges.iter().chain(&info.output_ranges) {
        h.int(lo);
        h.int(hi);
    }
    h.int(info.seq_len as i64);
    h.int(info.train_steps as i64);
    h.bytes(info.rule.as_bytes());
    h.dataset(task.test_split());
    h.dataset(&task.train_batch(7, 2500));
    h.dataset(&task.generate(11, 300, 3 * info.seq_len).unwrap());
    h.int(info.input_ranges.len() as i64);
    h.0
}

/// Fingerprints of the 62 tasks, in catalog order, computed on the code before the families.
const PINNED: [(&str, u64); 62] = [
    ("Abs_Current", 0xaeb81f9a70c4d59c),
    ("Abs_Diff", 0xfa0bb36fe859339d),
    ("Add_Mod_3", 0x3577fe9fc16bd6b6),
    ("Add_Mod_4", 0x168c773918070f21),
    ("Add_Mod_5", 0x5a5bd01714d26f1b),
    ("Add_Mod_6", 0x6dca759c186e991d),
    ("Add_Mod_7", 0x501b6558ca3f70e7),
    ("Add_Mod_8", 0x3aa2da0dc6079e09),
    ("Alternating_Last3", 0x3e625bb3ed2d526a),
    ("Alternating_Last4", 0xcff61a68b1b05628),
    ("Balanced_Parenthesis", 0xeaf8638932d47f57),
    ("Base_3_Addition", 0xde9c6689dc83c477),
    ("Base_4_Addition", 0x11b35287a9d031f8),
    ("Base_5_Addition", 0x8cebfd728bbd8940),
    ("Base_6_Addition", 0x875ddeaac1c51c8e),
    ("Base_7_Addition", 0x4bf62e188f1d7e24),
    ("Binary_Addition", 0x8757fdcfe6581282),
    ("Bit_Dot_Prod_Mod2", 0x9fc406cc01de6c22),
    ("Bit_Palindrome", 0x9acecba333fbec43),
    ("Bit_Shift_Right", 0x41030770797aa484),
    ("Bitwise_And", 0xd3cdcf7e87aef1a4),
    ("Bitwise_Not", 0x39dd4c7ca6dfc55b),
    ("Bitwise_Or", 0x04bf6dc72ae7af1c),
    ("Bitwise_Xor", 0xd0724ce9d97c53f8),
    ("Current_Number", 0x4ed2dc00e18c2aeb),
    ("Diff_Abs_Values", 0x3a7bac06105822c4),
    ("Diff_Last2", 0x1142271d1bb85a47),
    ("Dithering", 0x1be938e79397bd40),
    ("Div_3", 0x1e76a585476bd1e9),
    ("Div_5", 0x6a309f94cec0a660),
    ("Div_7", 0x6b35ff47afdd2805),
    ("Evens_Counter", 0x0fd6eee33d3ff31a),
    ("Evens_Detector", 0xb2929575411c98fc),
    ("Majority_0_1", 0xc98024d4c9e29f5b),
    ("Majority_0_2", 0xaa07b83cbc380e8d),
    ("Majority_0_3", 0xdfdba7f5ca3d6030),
    ("Max_Seen", 0x45d684f3aebb64be),
    ("Min_Seen", 0x3a61205b36ace7b0),
    ("Newton_Freebody", 0xe0874a40cb05edb2),
    ("Newton_Gravity", 0x2a9d39bb09535e15),
    ("Newton_Magnetic", 0x1202cc0f9bad08cf),
    ("Newton_Spring", 0x0ed0cb71cde111d2),
    ("Parity_All", 0xe56c9312b9cf4a46),
    ("Parity_Bits_Mod2", 0xf5ad51b9a8b3cb2b),
    ("Parity_Last2", 0xe38cfafd385a3a9a),
    ("Parity_Last3", 0xecebad0c3d835837),
    ("Parity_Last4", 0x73bcd790fe132a9a),
    ("Parity_Zeros", 0x36ea8ffa8c237183),
    ("Perfect_Square_Detector", 0xc7c20a1b8c73e7f2),
    ("Prev1", 0xc895e1f44f3cd671),
    ("Prev2", 0x4964b2eace1e3b94),
    ("Prev3", 0xdc64ca1d3bcc3197),
    ("Prev4", 0xf9ea6c1cd7660300),
    ("Prev5", 0xc6fe1b0a7bcf5826),
    ("Previous_Equals_Current", 0xbd9ff33894c444a4),
    ("Sum_All", 0xbaba0d025a3cb23e),
    ("Sum_Last2", 0x0d29a9471393ea36),
    ("Sum_Last3", 0x614079faf31dd1c2),
    ("Sum_Last4", 0x147af7dbbda1ef9a),
    ("Sum_Last5", 0x71d7067603f1f522),
    ("Sum_Last6", 0x7118db9246cd219e),
    ("Sum_Last7", 0x7c1c2dab7d3c9708),
];

#[test]
fn benchmark_tasks_generate_the_pinned_data() {
    let now: Vec<(&str, u64)> = super::CATALOG_NAMES.iter().map(|&n| (n, fingerprint(n))).collect();
    let listing: String = now
        .iter()
        .map(|(n, h)| format!("    (\"{n}\", {h:#018x}),\n"))
        .collect();
    assert_eq!(now, PINNED, "fingerprints now:\n{listing}");
}
