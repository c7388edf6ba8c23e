"""A small CIFAR-10 classifier in PyTorch, as an instructor might paste it into a quiz.

PyTorch code states no input size, so give it (channels last, H×W×C):

    cnnquiz solve examples/torch_net.py --input-shape 32x32x3

cnnquiz reads this file without running it. The pooling module is called three times in
``forward`` (it has no weights); batch-norm running statistics are buffers in PyTorch and
non-trainable weights in cnnquiz, so the question counts trainable parameters: 620,554.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10
WIDTH = 32


class CifarNet(nn.Module):
    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
        self.conv1 = nn.Conv2d(3, WIDTH, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(WIDTH)
        self.conv2 = nn.Conv2d(WIDTH, WIDTH * 2, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(WIDTH * 2)
        self.conv3 = nn.Conv2d(WIDTH * 2, WIDTH * 4, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(WIDTH * 4 * 4 * 4, 256)
        self.fc2 = nn.Linear(256, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))  # 16×16×32
        x = self.pool(F.relu(self.bn2(self.conv2(x))))  # 8×8×64
        x = self.pool(F.relu(self.conv3(x)))  # 4×4×128
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


if __name__ == "__main__":
    net = CifarNet()
    print(net)
    print(sum(p.numel() for p in net.parameters()), "parameters")
