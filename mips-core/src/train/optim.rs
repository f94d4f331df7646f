//! AdamW (decoupled weight decay), as in PyTorch's `torch.optim.AdamW`.

use super::real::Real;

/// AdamW state for one flat parameter buffer.
#[derive(Clone, Debug)]
pub struct AdamW {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// Decoupled weight decay (multiplies the learning rate).
    pub weight_decay: f64,
    m: Vec<f64>,
    v: Vec<f64>,
    t: u64,
}

impl AdamW {
    /// Fresh state for `len` parameters (β = (0.9, 0.999), ε = 1e-8).
    pub fn new(len: usize, weight_decay: f64) -> Self {
        AdamW {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            m: vec![0.0; len],
            v: vec![0.0; len],
            t: 0,
        }
    }

    /// Updates taken so far.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// One update with learning rate `lr`; parameters marked in `frozen` do not move.
    pub fn step<R: Real>(&mut self, params: &mut [R], grads: &[R], lr: f64, frozen: Option<&[bool]>) {
        self.t += 1;
        let bc1 = 1.0 - self.beta1.powi(self.t.min(i32::MAX as u64) as i32);
        let bc2 = 1.0 - self.beta2.powi(self.t.min(i32::MAX as u64) as i32);
        let (step_size, bc2_sqrt) = (lr / bc1, bc2.sqrt());
        let decay = 1.0 - lr * self.weight_decay;
        for k in 0..params.len() {
            if frozen.is_some_and(|f| f[k]) {
                continue;
            }
            let g = grads[k].to_f64();
            let m = self.beta1 * self.m[k] + (1.0 - self.beta1) * g;
            let v = self.beta2 * self.v[k] + (1.0 - self.beta2) * g * g;
            self.m[k] = m;
            self.v[k] = v;
            let p = params[k].to_f64() * decay;
            params[k] = R::from_f64(p - step_size * m / (v.sqrt() / bc2_sqrt + self.eps));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_by_lr_against_the_gradient_sign() {
        let mut opt = AdamW::new(2, 0.0);
        let mut p = vec![1.0f64, -1.0];
        opt.step(&mut p, &[0.5, -3.0], 0.1, None);
        assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] + 0.9).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn weight_decay_shrinks_and_frozen_stays() {
        let mut opt = AdamW::new(2, 0.5);
        let mut p = vec![2.0f32, 2.0];
        opt.step(&mut p, &[0.0, 0.0], 0.1, Some(&[false, true]));
        assert!((p[0] - 1.9).abs() < 1e-6);
        assert_eq!(p[1], 2.0);
    }
}
