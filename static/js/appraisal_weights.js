// The running total of an appraisal's weights (templates/evaluations/running/appraisal_form.html):
// shown as the officer types, in red until it reaches exactly 100. The service checks it again.
document.addEventListener("DOMContentLoaded", () => {
  const group = document.querySelector("[data-weights]");
  if (!group) return;
  const inputs = group.querySelectorAll("input[data-weight]");
  const total = group.querySelector("[data-weight-total]");
  const update = () => {
    let sum = 0;
    inputs.forEach((input) => { sum += Number.parseInt(input.value, 10) || 0; });
    total.textContent = String(sum);
    total.classList.toggle("text-danger", sum !== 100);
    total.classList.toggle("text-success", sum === 100);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
});
