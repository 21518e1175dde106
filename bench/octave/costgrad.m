% One cost+gradient evaluation of ex4's nnCostFunction, written the vectorized way, timed inside
% Octave on the data bench/costgrad.bench.ts wrote (same images, labels and parameters).
%   octave-cli --no-init-file --quiet --no-window-system bench/octave/costgrad.m <data folder> <runs>
% Prints: median_ms=<median of the runs> min_ms=<fastest run> J=<cost> blas=<BLAS library>
1;

function g = sigmoid(z)
  g = 1.0 ./ (1.0 + exp(-z));
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
  g = sigmoid(z2);
  d2 = (d3 * Theta2(:, 2:end)) .* (g .* (1 - g));
  Theta1_grad = (d2' * a1) / m + (lambda / m) * [zeros(hidden_layer_size, 1) Theta1(:, 2:end)];
  Theta2_grad = (d3' * a2) / m + (lambda / m) * [zeros(num_labels, 1) Theta2(:, 2:end)];
  grad = [Theta1_grad(:); Theta2_grad(:)];
end

function v = readDoubles(folder, name, shape)
  f = fopen(fullfile(folder, name), 'r');
  v = fread(f, shape, 'double');
  fclose(f);
end

args = argv();
folder = args{1};
runs = str2double(args{2});
X = readDoubles(folder, 'X.f64', [5000 400]);
y = readDoubles(folder, 'y.f64', Inf);
p = readDoubles(folder, 'params.f64', Inf);
for r = 1:5
  [J, grad] = nnCostFunction(p, 400, 25, 10, X, y, 1);
end
t = zeros(runs, 1);
for r = 1:runs
  tic;
  [J, grad] = nnCostFunction(p, 400, 25, 10, X, y, 1);
  t(r) = toc;
end
printf('median_ms=%.3f min_ms=%.3f J=%.17g blas=%s\n', 1000 * median(t), 1000 * min(t), J, strrep(version('-blas'), ' ', '_'));
