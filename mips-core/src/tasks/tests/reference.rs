//! Independent statements of the 62 rules and of the families' (by their names' patterns),
//! written from the catalog's definitions: every output is recomputed from scratch (whole prefixes, explicit windows, whole-number arithmetic), not
//! with the generators' recurrences.

/// A sequence as a list of steps, each a list of components.
pub type Steps = Vec<Vec<i64>>;

/// The outputs the catalog prescribes for `x` under task `name` (a catalog task or a member of
/// a family).
pub fn outputs(name: &str, x: &Steps) -> Steps {
    let one = |f: &dyn Fn(usize) -> i64| (0..x.len()).map(|t| vec![f(t)]).collect::<Steps>();
    // x at position i (0 before the start), first component.
    let at = |i: isize| if i < 0 { 0 } else { x[i as usize][0] };
    let a = |t: usize| x[t][0];
    let b = |t: usize| x[t][1];
    let prefix = |t: usize| -> Vec<i64> { (0..=t).map(a).collect() };
    let window = |t: usize, k: usize| -> Vec<i64> { (0..k).map(|j| at(t as isize - (k - 1 - j) as isize)).collect() };
    let number = |prefix: &str| -> usize { suffix_number(name, prefix) };
    match name {
        "Abs_Current" => one(&|t| a(t).abs()),
        "Abs_Diff" => one(&|t| (a(t) - at(t as isize - 1)).abs()),
        n if n.starts_with("Add_Mod_") => {
            let k = number("Add_Mod_") as i64;
            one(&|t| prefix(t).iter().sum::<i64>() % k)
        }
        n if n.starts_with("Alternating_Last") => {
            let k = number("Alternating_Last");
            let even: Vec<i64> = (0..k).map(|j| (j % 2) as i64).collect();
            let odd: Vec<i64> = even.iter().map(|v| 1 - v).collect();
            one(&|t| {
                let w = window(t, k);
                i64::from(w == even || w == odd)
            })
        }
        "Balanced_Parenthesis" => one(&|t| {
            let depth = |s: usize| {
                let p = prefix(s);
                p.iter().filter(|&&v| v == 0).count() as i64 - p.iter().filter(|&&v| v == 1).count() as i64
            };
            i64::from(depth(t) == 0 && (0..=t).all(|s| depth(s) >= 0))
        }),
        "Binary_Addition" => base_addition(x, 2),
        n if n.starts_with("Base_") => base_addition(x, number("Base_") as u128),
        n if n.starts_with("Bit_Dot_Prod_Mod") => {
            let k = number("Bit_Dot_Prod_Mod") as i64;
            one(&|t| (0..=t).map(|s| a(s) * b(s)).sum::<i64>() % k)
        }
        "Bit_Palindrome" => one(&|t| {
            let p = prefix(t);
            let mut r = p.clone();
            r.reverse();
            i64::from(p == r)
        }),
        "Bit_Shift_Right" => one(&|t| at(t as isize - 1)),
        n if n.starts_with("Bit_Shift_Right_") => {
            let k = number("Bit_Shift_Right_") as isize;
            one(&|t| at(t as isize - k))
        }
        "Bitwise_And" => one(&|t| a(t) * b(t)),
        "Bitwise_Not" => one(&|t| 1 - a(t)),
        "Bitwise_Or" => one(&|t| i64::from(a(t) + b(t) > 0)),
        "Bitwise_Xor" => one(&|t| i64::from(a(t) + b(t) == 1)),
        "Current_Number" => one(&a),
        "Diff_Abs_Values" => one(&|t| a(t).abs() - at(t as isize - 1).abs()),
        "Diff_Last2" => one(&|t| a(t) - at(t as isize - 1)),
        "Dithering" => {
            let total = |i: isize| {
                if i < 0 {
                    0
                } else {
                    prefix(i as usize).iter().sum::<i64>()
                }
            };
            one(&|t| total(t as isize).div_euclid(15) - total(t as isize - 1).div_euclid(15))
        }
        n if n.starts_with("Div_") => long_division(x, number("Div_") as u128),
        "Evens_Counter" => one(&|t| prefix(t).iter().filter(|v| *v % 2 == 0).count() as i64),
        "Evens_Detector" => one(&|t| i64::from([0, 2, 4, 6, 8].contains(&a(t)))),
        n if n.starts_with("Majority_0_") => {
            let k = number("Majority_0_") as i64;
            one(&|t| {
                let p = prefix(t);
                let count = |v: i64| p.iter().filter(|&&u| u == v).count();
                let top = (0..=k).map(count).max().unwrap_or(0);
                (0..=k).filter(|&v| count(v) == top).min().unwrap_or(0)
            })
        }
        "Max_Seen" => one(&|t| prefix(t).into_iter().max().unwrap()),
        "Min_Seen" => one(&|t| prefix(t).into_iter().min().unwrap()),
        "Newton_Freebody" => one(&|t| (0..=t).map(|s| (t - s + 1) as i64 * a(s)).sum()),
        "Newton_Gravity" => one(&|t| (0..=t).map(|s| (t - s + 1) as i64 * (a(s) - 1)).sum()),
        "Newton_Spring" => {
            let response = [1, 1, 0, -1, -1, 0];
            one(&|t| (0..=t).map(|s| response[(t - s) % 6] * a(s)).sum())
        }
        "Newton_Magnetic" => newton_magnetic(x),
        "Parity_All" => one(&|t| prefix(t).iter().sum::<i64>() % 2),
        n if n.starts_with("Parity_Bits_Mod") => {
            let k = number("Parity_Bits_Mod");
            one(&|t| (t % k) as i64)
        }
        n if n.starts_with("Parity_Last") => {
            let k = number("Parity_Last");
            one(&|t| window(t, k).iter().sum::<i64>() % 2)
        }
        "Parity_Zeros" => one(&|t| prefix(t).iter().filter(|&&v| v == 0).count() as i64 % 2),
        "Perfect_Square_Detector" => one(&|t| i64::from([0, 1, 4, 9, 16, 25, 36].contains(&a(t)))),
        "Previous_Equals_Current" => one(&|t| i64::from(a(t) == at(t as isize - 1))),
        n if n.starts_with("Prev") => {
            let k = number("Prev");
            one(&|t| if t >= k { a(t - k) } else { 0 })
        }
        "Sum_All" => one(&|t| prefix(t).iter().sum()),
        n if n.starts_with("Sum_Last") => {
            let k = number("Sum_Last");
            one(&|t| (t.saturating_sub(k - 1)..=t).map(a).sum())
        }
        _ => panic!("no reference rule for {name}"),
    }
}

fn suffix_number(name: &str, prefix: &str) -> usize {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.split('_').next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("{name}: no number after {prefix}"))
}

/// Digits (least significant first) of (A + B) mod base^T, on whole numbers.
fn base_addition(x: &Steps, base: u128) -> Steps {
    let len = x.len() as u32;
    let value = |component: usize| -> u128 {
        x.iter()
            .enumerate()
            .map(|(t, step)| step[component] as u128 * base.pow(t as u32))
            .sum()
    };
    let sum = (value(0) + value(1)) % base.pow(len);
    (0..len).map(|t| vec![((sum / base.pow(t)) % base) as i64]).collect()
}

/// Bits (most significant first) of floor(n / divisor), n read most significant bit first.
fn long_division(x: &Steps, divisor: u128) -> Steps {
    let len = x.len() as u32;
    let n: u128 = x
        .iter()
        .enumerate()
        .map(|(t, step)| (step[0] as u128) << (len - 1 - t as u32))
        .sum();
    let q = n / divisor;
    (0..len).map(|t| vec![((q >> (len - 1 - t)) & 1) as i64]).collect()
}

/// Positions from the closed form with Gaussian integers: the velocity is
/// v_t = Σ_{s≤t} (1+i)^(t-s) f_s (the field adds i·v), and p_t = Σ_{u≤t} v_u.
fn newton_magnetic(x: &Steps) -> Steps {
    let mul = |(p, q): (i128, i128), (r, s): (i128, i128)| (p * r - q * s, p * s + q * r);
    let mut powers = vec![(1i128, 0i128)];
    for e in 1..x.len() {
        powers.push(mul(powers[e - 1], (1, 1)));
    }
    let velocity: Vec<(i128, i128)> = (0..x.len())
        .map(|t| {
            (0..=t).fold((0, 0), |acc, s| {
                let term = mul(powers[t - s], (x[s][0] as i128, x[s][1] as i128));
                (acc.0 + term.0, acc.1 + term.1)
            })
        })
        .collect();
    (0..x.len())
        .map(|t| {
            let p = velocity[..=t]
                .iter()
                .fold((0i128, 0i128), |acc, v| (acc.0 + v.0, acc.1 + v.1));
            vec![p.0 as i64, p.1 as i64]
        })
        .collect()
}
