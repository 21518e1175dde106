% The five parts Coursera's ex4 grader checks, computed on submit.m's own inputs (the work a cold
% `backprop-grader grade --preset coursera` does, as Octave does it), written the vectorized way:
% nnCostFunction's J at λ = 0 and 1.5, sigmoidGradient, and the gradient at λ = 0 and 1.5.
%   octave-cli --no-init-file --quiet --no-window-system bench/octave/coursera-cases.m
% Prints one line per part; bench/grade.bench.ts times the whole octave-cli process.
1;

function g = sigmoid(z)
  g = 1.0 ./ (1.0 + exp(-z));
end

function g = sigmoidGradient(z)
  g = sigmoid(z) .* (1 - sigmoid(z));
end

function [J, grad] = nnCostFunction(nn_params, input_layer_size, hidden_layer_size, num_labels, X, y, lambda)
  Theta1 = reshape(nn_params(1:hidden_layer_size * (input_layer_size + 1)), hidden_layer_size, input_layer_size + 1);
  Theta2 = reshape(nn_params((1 + hidden_layer_size * (input_layer_size + 1)):end), num_labels, hidden_layer_size + 1);
  m = size(X, 1);
  a1 = [ones(m, 1) X];
  z2 = a1 * Theta1';
  a2 = [ones(m, 1) sigmoid(z2)];
  a3 = sigmoid(a2 * Theta2');
  I = eye(num_labels);
  Y = I(y, :);
  J = sum(sum(-Y .* log(a3) - (1 - Y) .* log(1 - a3))) / m ...
      + lambda / (2 * m) * (sum(sum(Theta1(:, 2:end) .^ 2)) + sum(sum(Theta2(:, 2:end) .^ 2)));
  d3 = a3 - Y;
  d2 = (d3 * Theta2(:, 2:end)) .* sigmoidGradient(z2);
  Theta1_grad = (d2' * a1) / m + (lambda / m) * [zeros(hidden_layer_size, 1) Theta1(:, 2:end)];
  Theta2_grad = (d3' * a2) / m + (lambda / m) * [zeros(num_labels, 1) Theta2(:, 2:end)];
  grad = [Theta1_grad(:); Theta2_grad(:)];
end

% submit.m's inputs.
X = reshape(3 * sin(1:1:30), 3, 10);
Xm = reshape(sin(1:32), 16, 2) / 5;
ym = 1 + mod(1:16, 4)';
t1 = sin(reshape(1:2:24, 4, 3));
t2 = cos(reshape(1:2:40, 4, 5));
t = [t1(:); t2(:)];

[J0, grad0] = nnCostFunction(t, 2, 4, 4, Xm, ym, 0);
[J1, grad1] = nnCostFunction(t, 2, 4, 4, Xm, ym, 1.5);
g = sigmoidGradient(X);
printf('feedforward-cost J=%.10g\n', J0);
printf('regularized-cost J=%.10g\n', J1);
printf('sigmoid-gradient sum=%.10g\n', sum(g(:)));
printf('backprop-gradient sum=%.10g\n', sum(grad0));
printf('regularized-gradient sum=%.10g\n', sum(grad1));
